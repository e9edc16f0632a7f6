// SPDX-License-Identifier: GPL-2.0-only
/*
 * gntfb GUI-domain role: import a guest buffer (domid + directory ref) as
 * an fd that any process can mmap to read the guest's pages in place.
 */

#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <xen/xen.h>
#include <xen/interface/grant_table.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include "gntfb.h"

/**
 * DOC: Importer
 *
 * GNTFB_IOC_IMPORT reads the guest's page directory (mapping each
 * directory page into the kernel just long enough to copy it), checks that
 * every data grant maps (a trial map in batches, unmapped at once), and
 * returns an fd on a private pseudo filesystem whose inode size is the
 * buffer size: what Xorg's ShmAttachFd fstat()s and maps.
 *
 * Nothing is mapped until a process mmaps the fd. In a PV domain a foreign
 * frame can only reach a process through a grant map on that process's
 * own page-table entries (GNTMAP_contains_pte), so each mmap, in whichever
 * process, maps the grants straight into its PTEs with one hypercall.
 * An mmu_interval_notifier per mapping unmaps them before the core mm
 * zaps the PTEs (munmap, exit, mprotect, mremap): vm_ops->close runs too
 * late, after the zap, and Xen would keep the grant pinned for good.
 *
 * Revocation (GNTFB_IOC_REVOKE, GNTFB_IOC_REVOKE_DOMAIN, or the guest's
 * death seen through @releaseDomain) unmaps every mapping's grants with
 * the recorded PTE addresses: Xen clears the PTEs, and a later access
 * finds no PTE and no fault handler, so the process gets SIGBUS (which
 * Xorg's MIT-SHM busfault handler survives). A dying guest stays a zombie
 * while dom0 maps its frames; revoking lets Xen finish destroying it.
 *
 * Why not dma-buf: the pages are foreign frames mapped per process, with
 * no struct page and no DMA address, so no device could import the
 * dma-buf; it would only add a misleading interface. The CPU mmap is all
 * the X server needs.
 */

#define GNTFB_FS_MAGIC 0x676e7466
#define GNTFB_PROBE_BATCH 256

/* per guest domain: its imports and their page budget */
struct gntfb_imp_dom {
	struct list_head node;
	struct list_head imports;
	domid_t domid;
	unsigned int pages;
};

/* one imported buffer: one fd, any number of mappings (up to a cap) */
struct gntfb_imp {
	struct list_head node;		/* in dom->imports, gntfb_imp_lock */
	struct gntfb_imp_dom *dom;
	struct mutex lock;		/* protects @maps, @nmaps, @revoked */
	struct list_head maps;
	unsigned int nmaps;
	bool revoked;
	domid_t domid;
	unsigned int npages;
	grant_ref_t refs[];
};

/* one mmap of an imported buffer, in one process */
struct gntfb_map {
	struct mmu_interval_notifier notifier;
	struct kref kref;		/* vmas sharing it (split refused) */
	struct list_head node;		/* in imp->maps, imp->lock */
	struct mutex lock;		/* protects the ops arrays and @mapped */
	struct gntfb_imp *imp;
	unsigned long start;
	unsigned int count;
	unsigned int mapped;
	u32 gflags;
	struct gnttab_map_grant_ref *map_ops;
	struct gnttab_unmap_grant_ref *unmap_ops;
};

/* protects gntfb_imp_doms, every dom's list and budget, the counters */
static DEFINE_MUTEX(gntfb_imp_lock);
static LIST_HEAD(gntfb_imp_doms);
static unsigned int gntfb_live_imports, gntfb_live_pages, gntfb_revoked;
static atomic_t gntfb_live_maps = ATOMIC_INIT(0);
static struct vfsmount *gntfb_mnt;
static struct work_struct gntfb_death_work;
static bool gntfb_watching;
static struct dentry *gntfb_debugfs;

static int gntfb_gnt_errno(s16 status)
{
	switch (status) {
	case GNTST_okay:
		return 0;
	case GNTST_bad_domain:
		return -ESRCH;
	case GNTST_bad_gntref:
		return -ENOENT;
	case GNTST_permission_denied:
		return -EPERM;
	case GNTST_no_device_space:
		return -ENOSPC;
	default:
		return -EINVAL;
	}
}

/* ---- grant map / unmap of one mapping ----------------------------------- */

static int gntfb_map_find_pte(pte_t *pte, unsigned long addr, void *data)
{
	struct gntfb_map *m = data;
	unsigned int i = (addr - m->start) >> PAGE_SHIFT;
	u64 maddr = arbitrary_virt_to_machine(pte).maddr;

	if (WARN_ON_ONCE(i >= m->count))
		return -EINVAL;
	gnttab_set_map_op(&m->map_ops[i], maddr, m->gflags, m->imp->refs[i],
			  m->imp->domid);
	gnttab_set_unmap_op(&m->unmap_ops[i], maddr, m->gflags,
			    INVALID_GRANT_HANDLE);
	return 0;
}

/* unmap grants [first, first + n) still mapped; caller holds m->lock */
static void gntfb_map_unmap(struct gntfb_map *m, unsigned int first,
			    unsigned int n)
{
	unsigned int i = first, end = first + n, j, run;
	int rc;

	while (i < end) {
		if (m->unmap_ops[i].handle == INVALID_GRANT_HANDLE) {
			i++;
			continue;
		}
		for (run = 0; i + run < end &&
		     m->unmap_ops[i + run].handle != INVALID_GRANT_HANDLE; run++)
			;
		rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref,
					       &m->unmap_ops[i], run);
		for (j = i; j < i + run; j++) {
			if (rc || m->unmap_ops[j].status != GNTST_okay)
				pr_err_ratelimited("gntfb: d%u ref %u: unmap failed (%d/%d)\n",
						   m->imp->domid, m->map_ops[j].ref,
						   rc, m->unmap_ops[j].status);
			m->unmap_ops[j].handle = INVALID_GRANT_HANDLE;
			m->mapped--;
			atomic_dec(&gntfb_live_maps);
		}
		i += run;
	}
}

static bool gntfb_map_invalidate(struct mmu_interval_notifier *mn,
				 const struct mmu_notifier_range *range,
				 unsigned long cur_seq)
{
	struct gntfb_map *m = container_of(mn, struct gntfb_map, notifier);
	unsigned long mend = m->start + ((unsigned long)m->count << PAGE_SHIFT);
	unsigned long s = max(range->start, m->start);
	unsigned long e = min(range->end, mend);

	if (s >= e)
		return true;
	/* the unmap hypercall and m->lock may sleep: OOM reaper, retry later */
	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&m->lock);
	mmu_interval_set_seq(mn, cur_seq);
	gntfb_map_unmap(m, (s - m->start) >> PAGE_SHIFT, (e - s) >> PAGE_SHIFT);
	mutex_unlock(&m->lock);
	return true;
}

static const struct mmu_interval_notifier_ops gntfb_map_mn_ops = {
	.invalidate = gntfb_map_invalidate,
};

static void gntfb_map_free(struct gntfb_map *m)
{
	kvfree(m->map_ops);
	kvfree(m->unmap_ops);
	kfree(m);
}

static void gntfb_map_release(struct kref *kref)
{
	struct gntfb_map *m = container_of(kref, struct gntfb_map, kref);
	struct gntfb_imp *imp = m->imp;

	mmu_interval_notifier_remove(&m->notifier);
	mutex_lock(&imp->lock);
	list_del(&m->node);
	imp->nmaps--;
	mutex_unlock(&imp->lock);
	mutex_lock(&m->lock);
	if (m->mapped) {
		/* the notifier runs before every zap: this is a bug */
		WARN_ONCE(1, "gntfb: %u grants still mapped at close\n",
			  m->mapped);
		gntfb_map_unmap(m, 0, m->count);
	}
	mutex_unlock(&m->lock);
	gntfb_map_free(m);
}

static void gntfb_vma_open(struct vm_area_struct *vma)
{
	struct gntfb_map *m = vma->vm_private_data;

	kref_get(&m->kref);
}

static void gntfb_vma_close(struct vm_area_struct *vma)
{
	struct gntfb_map *m = vma->vm_private_data;

	kref_put(&m->kref, gntfb_map_release);
}

/* a partial munmap or mprotect would split the grant mapping */
static int gntfb_vma_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

/* the move already fired the notifier: the old range is dead (SIGBUS) */
static int gntfb_vma_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

/* mprotect would fire the notifier and drop the grants: refuse it */
static int gntfb_vma_mprotect(struct vm_area_struct *vma, unsigned long start,
			      unsigned long end, unsigned long newflags)
{
	return -EACCES;
}

static const struct vm_operations_struct gntfb_vm_ops = {
	.open = gntfb_vma_open,
	.close = gntfb_vma_close,
	.may_split = gntfb_vma_may_split,
	.mremap = gntfb_vma_mremap,
	.mprotect = gntfb_vma_mprotect,
};

/* map the grants of a new mapping; caller holds imp->lock */
static int gntfb_map_grants(struct gntfb_map *m, struct mm_struct *mm)
{
	unsigned int i;
	int ret, rc;

	ret = apply_to_page_range(mm, m->start, m->count << PAGE_SHIFT,
				  gntfb_map_find_pte, m);
	if (ret)
		return ret;
	rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, m->map_ops,
				       m->count);
	if (rc) {
		pr_err_ratelimited("gntfb: map hypercall failed: %d\n", rc);
		return -EFAULT;
	}
	mutex_lock(&m->lock);
	for (i = 0; i < m->count; i++) {
		if (m->map_ops[i].status == GNTST_okay) {
			m->unmap_ops[i].handle = m->map_ops[i].handle;
			m->mapped++;
			atomic_inc(&gntfb_live_maps);
		} else if (!ret) {
			ret = gntfb_gnt_errno(m->map_ops[i].status);
			/* the guest's doing (a revoked or foreign ref): say so */
			pr_warn_ratelimited("gntfb: dom%u: cannot map grant ref %u (page %u of %u): GNTST %d\n",
					    m->imp->domid, m->imp->refs[i], i, m->count,
					    m->map_ops[i].status);
		}
	}
	if (ret)
		gntfb_map_unmap(m, 0, m->count);
	mutex_unlock(&m->lock);
	return ret;
}

static int gntfb_imp_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct gntfb_imp *imp = file->private_data;
	unsigned long npages = vma_pages(vma);
	bool writable = vma->vm_flags & VM_WRITE;
	struct gntfb_map *m;
	int ret;

	if (vma->vm_pgoff || npages != imp->npages) {
		pr_warn_ratelimited("gntfb: dom%u: mmap of %lu pages at page %lu of a %u-page buffer refused\n",
				    imp->domid, npages, vma->vm_pgoff, imp->npages);
		return -EINVAL;
	}
	/* VM_SHARED is cleared for a read-only file: test MAYSHARE */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->map_ops = kvcalloc(npages, sizeof(*m->map_ops), GFP_KERNEL);
	m->unmap_ops = kvcalloc(npages, sizeof(*m->unmap_ops), GFP_KERNEL);
	if (!m->map_ops || !m->unmap_ops) {
		gntfb_map_free(m);
		return -ENOMEM;
	}
	kref_init(&m->kref);
	mutex_init(&m->lock);
	m->imp = imp;
	m->start = vma->vm_start;
	m->count = npages;
	/* _GNTMAP_guest_avail0 becomes _PAGE_SPECIAL in the PTE, as gntdev */
	m->gflags = GNTMAP_host_map | GNTMAP_application_map |
		    GNTMAP_contains_pte | (1 << _GNTMAP_guest_avail0);
	if (!writable)
		m->gflags |= GNTMAP_readonly;

	vma->vm_flags |= VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP | VM_IO |
			 VM_PFNMAP;
	if (!(file->f_mode & FMODE_WRITE))
		vma->vm_flags &= ~VM_MAYWRITE;

	/* imp->lock orders this mapping against revocation */
	mutex_lock(&imp->lock);
	if (imp->revoked) {
		pr_warn_ratelimited("gntfb: dom%u: mmap of a revoked buffer refused\n", imp->domid);
		ret = -ENODEV;
		goto unlock;
	}
	if (imp->nmaps >= gntfb_import_max_maps) {
		pr_warn_ratelimited("gntfb: dom%u: buffer already mapped %u times (import_max_maps)\n",
				    imp->domid, imp->nmaps);
		ret = -EMFILE;
		goto unlock;
	}
	/* mmap_lock is held for write by the mmap() path */
	ret = mmu_interval_notifier_insert_locked(&m->notifier, vma->vm_mm,
						  m->start,
						  npages << PAGE_SHIFT,
						  &gntfb_map_mn_ops);
	/*
	 * The first interval notifier of an mm registers it with
	 * mm_take_all_locks(), which gives up with -EINTR when a signal is
	 * pending: an X server with its timer and I/O signals then failed its
	 * first ShmAttachFd of a guest buffer (BadAccess) now and then.
	 * Restart the mmap() after the signal instead.
	 */
	if (ret == -EINTR)
		ret = -ERESTARTNOINTR;
	if (ret)
		goto unlock;
	ret = gntfb_map_grants(m, vma->vm_mm);
	if (ret) {
		mutex_unlock(&imp->lock);
		mmu_interval_notifier_remove(&m->notifier);
		gntfb_map_free(m);
		return ret;
	}
	list_add(&m->node, &imp->maps);
	imp->nmaps++;
	mutex_unlock(&imp->lock);
	vma->vm_private_data = m;
	vma->vm_ops = &gntfb_vm_ops;
	return 0;

unlock:
	mutex_unlock(&imp->lock);
	gntfb_map_free(m);
	return ret;
}

/* ---- revocation ------------------------------------------------------ */

/*
 * Unmap every mapping's grants now, from any context that may sleep: the
 * hypercall needs only the recorded PTE machine addresses. Later accesses
 * find no PTE and get SIGBUS; later mmaps get ENODEV.
 */
static void gntfb_imp_revoke(struct gntfb_imp *imp)
{
	struct gntfb_map *m;

	mutex_lock(&imp->lock);
	if (!imp->revoked) {
		imp->revoked = true;
		gntfb_revoked++;
	}
	list_for_each_entry(m, &imp->maps, node) {
		mutex_lock(&m->lock);
		gntfb_map_unmap(m, 0, m->count);
		mutex_unlock(&m->lock);
	}
	mutex_unlock(&imp->lock);
}

static struct gntfb_imp_dom *gntfb_dom_find(domid_t domid)
{
	struct gntfb_imp_dom *dom;

	list_for_each_entry(dom, &gntfb_imp_doms, node)
		if (dom->domid == domid)
			return dom;
	return NULL;
}

static void gntfb_revoke_domain(domid_t domid)
{
	struct gntfb_imp_dom *dom;
	struct gntfb_imp *imp;

	mutex_lock(&gntfb_imp_lock);
	dom = gntfb_dom_find(domid);
	if (dom)
		list_for_each_entry(imp, &dom->imports, node)
			gntfb_imp_revoke(imp);
	mutex_unlock(&gntfb_imp_lock);
}

static bool gntfb_domain_alive(domid_t domid)
{
	char node[8];

	snprintf(node, sizeof(node), "%u", domid);
	return xenbus_exists(XBT_NIL, "/local/domain", node);
}

/*
 * @releaseDomain fired: some domain died or shut down. The toolstack
 * removes /local/domain/<id> when it destroys a domain; revoke every
 * import of a domain whose home is gone, so it does not stay a zombie.
 */
static void gntfb_death_work_fn(struct work_struct *work)
{
	struct gntfb_imp_dom *dom;
	struct gntfb_imp *imp;

	mutex_lock(&gntfb_imp_lock);
	list_for_each_entry(dom, &gntfb_imp_doms, node) {
		if (gntfb_domain_alive(dom->domid))
			continue;
		pr_info("gntfb: domain %u is gone, revoking its imports\n",
			dom->domid);
		list_for_each_entry(imp, &dom->imports, node)
			gntfb_imp_revoke(imp);
	}
	mutex_unlock(&gntfb_imp_lock);
}

static void gntfb_release_domain(struct xenbus_watch *watch, const char *path,
				 const char *token)
{
	schedule_work(&gntfb_death_work);
}

static struct xenbus_watch gntfb_release_watch = {
	.node = "@releaseDomain",
	.callback = gntfb_release_domain,
};

static int gntfb_xenstore_ready(struct notifier_block *nb, unsigned long ev,
				void *data)
{
	if (register_xenbus_watch(&gntfb_release_watch))
		pr_err("gntfb: cannot watch @releaseDomain: guest death will need GNTFB_IOC_REVOKE_DOMAIN\n");
	else
		gntfb_watching = true;
	return NOTIFY_DONE;
}

static struct notifier_block gntfb_xenstore_nb = {
	.notifier_call = gntfb_xenstore_ready,
};

/* ---- the buffer fd ------------------------------------------------------ */

static int gntfb_imp_release(struct inode *inode, struct file *file)
{
	struct gntfb_imp *imp = file->private_data;
	struct gntfb_imp_dom *dom = imp->dom;

	/* every vma holds the file: no mapping is left */
	mutex_lock(&gntfb_imp_lock);
	list_del(&imp->node);
	dom->pages -= imp->npages;
	gntfb_live_imports--;
	gntfb_live_pages -= imp->npages;
	if (list_empty(&dom->imports)) {
		list_del(&dom->node);
		kfree(dom);
	}
	mutex_unlock(&gntfb_imp_lock);
	kvfree(imp);
	return 0;
}

static long gntfb_imp_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	if (cmd != GNTFB_IOC_REVOKE)
		return -ENOTTY;
	gntfb_imp_revoke(file->private_data);
	return 0;
}

static const struct file_operations gntfb_imp_fops = {
	.owner = THIS_MODULE,
	.mmap = gntfb_imp_mmap,
	.unlocked_ioctl = gntfb_imp_ioctl,
	.release = gntfb_imp_release,
	.llseek = noop_llseek,
};

/* ---- reading and checking what the guest supplied ----------------------- */

/* scratch pages and op arrays for directory reads and trial maps */
struct gntfb_scratch {
	struct page *pages[GNTFB_PROBE_BATCH];
	struct page *mapped[GNTFB_PROBE_BATCH];
	struct gnttab_map_grant_ref map[GNTFB_PROBE_BATCH];
	struct gnttab_unmap_grant_ref unmap[GNTFB_PROBE_BATCH];
};

static DEFINE_MUTEX(gntfb_scratch_lock);	/* protects gntfb_scratch */
static struct gntfb_scratch *gntfb_scratch;

/*
 * Map @n (at most GNTFB_PROBE_BATCH) refs of @domid read-only into the
 * kernel, copy the first page to @copy if asked, and unmap them all.
 * Caller holds gntfb_scratch_lock.
 */
static int gntfb_probe_refs(domid_t domid, const grant_ref_t *refs,
			    unsigned int n, void *copy)
{
	const u32 flags = GNTMAP_host_map | GNTMAP_readonly;
	struct gntfb_scratch *s = gntfb_scratch;
	struct gntab_unmap_queue_data q = {
		.unmap_ops = s->unmap,
		.pages = s->mapped,
	};
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++)
		gnttab_set_map_op(&s->map[i],
				  (unsigned long)page_address(s->pages[i]),
				  flags, refs[i], domid);
	ret = gnttab_map_refs(s->map, NULL, s->pages, n);
	if (ret)
		return -EFAULT;
	for (i = 0; i < n; i++) {
		if (s->map[i].status != GNTST_okay) {
			if (!ret)
				ret = gntfb_gnt_errno(s->map[i].status);
			continue;
		}
		gnttab_set_unmap_op(&s->unmap[q.count],
				    (unsigned long)page_address(s->pages[i]),
				    flags, s->map[i].handle);
		s->mapped[q.count++] = s->pages[i];
	}
	if (!ret && copy)
		memcpy(copy, page_address(s->pages[0]), GNTFB_PAGE_SIZE);
	if (q.count && gnttab_unmap_refs_sync(&q))
		pr_err_ratelimited("gntfb: d%u: kernel unmap failed\n", domid);
	return ret;
}

/*
 * Copy the directory out of the guest's pages into @imp->refs, then check
 * that every data ref maps. Each directory page is copied before use; the
 * chain is followed for exactly the pages @imp->npages needs and may not
 * repeat a page.
 */
static int gntfb_read_directory(struct gntfb_imp *imp, grant_ref_t dir_ref)
{
	unsigned int ndir = DIV_ROUND_UP(imp->npages, GNTFB_DIR_REFS_PER_PAGE);
	struct gntfb_dir_page *dir;
	grant_ref_t *seen, ref = dir_ref;
	unsigned int i, j, n;
	int ret = 0;

	dir = kmalloc(sizeof(*dir), GFP_KERNEL);
	seen = kmalloc_array(ndir, sizeof(*seen), GFP_KERNEL);
	if (!dir || !seen) {
		ret = -ENOMEM;
		goto out;
	}
	mutex_lock(&gntfb_scratch_lock);
	for (i = 0; i < ndir; i++) {
		if (!ref) {
			ret = -EINVAL;	/* chain shorter than the size */
			break;
		}
		for (j = 0; j < i; j++)
			if (seen[j] == ref)
				break;
		if (j < i) {
			ret = -ELOOP;
			break;
		}
		seen[i] = ref;
		ret = gntfb_probe_refs(imp->domid, &ref, 1, dir);
		if (ret)
			break;
		n = min(imp->npages - i * GNTFB_DIR_REFS_PER_PAGE,
			GNTFB_DIR_REFS_PER_PAGE);
		memcpy(&imp->refs[i * GNTFB_DIR_REFS_PER_PAGE], dir->ref,
		       n * sizeof(dir->ref[0]));
		ref = READ_ONCE(dir->next);
	}
	/* trial-map every data page: revoked or foreign refs fail here */
	for (i = 0; !ret && i < imp->npages; i += n) {
		n = min(imp->npages - i, (unsigned int)GNTFB_PROBE_BATCH);
		ret = gntfb_probe_refs(imp->domid, &imp->refs[i], n, NULL);
	}
	mutex_unlock(&gntfb_scratch_lock);
out:
	kfree(seen);
	kfree(dir);
	return ret;
}

/* ---- /dev/gntfb-import ------------------------------------------------ */

/* account @imp to its domain; caller holds gntfb_imp_lock */
static int gntfb_imp_account(struct gntfb_imp *imp)
{
	struct gntfb_imp_dom *dom = gntfb_dom_find(imp->domid);

	if (dom && dom->pages + imp->npages > gntfb_import_max_pages)
		return -EDQUOT;
	if (!dom) {
		if (imp->npages > gntfb_import_max_pages)
			return -EDQUOT;
		dom = kzalloc(sizeof(*dom), GFP_KERNEL);
		if (!dom)
			return -ENOMEM;
		dom->domid = imp->domid;
		INIT_LIST_HEAD(&dom->imports);
		list_add(&dom->node, &gntfb_imp_doms);
	}
	dom->pages += imp->npages;
	list_add(&imp->node, &dom->imports);
	imp->dom = dom;
	gntfb_live_imports++;
	gntfb_live_pages += imp->npages;
	return 0;
}

static struct file *gntfb_imp_file(struct gntfb_imp *imp, u32 flags)
{
	struct inode *inode;
	struct file *file;

	inode = alloc_anon_inode(gntfb_mnt->mnt_sb);
	if (IS_ERR(inode))
		return ERR_CAST(inode);
	inode->i_size = (loff_t)imp->npages << PAGE_SHIFT;
	file = alloc_file_pseudo(inode, gntfb_mnt, "gntfb",
				 (flags & GNTFB_IMPORT_WRITABLE) ? O_RDWR :
								   O_RDONLY,
				 &gntfb_imp_fops);
	if (IS_ERR(file)) {
		iput(inode);
		return file;
	}
	/* alloc_file_pseudo() takes no reference on f_op->owner; fput drops one */
	__module_get(THIS_MODULE);
	file->private_data = imp;
	return file;
}

static long gntfb_ioctl_import(struct gntfb_import __user *uarg)
{
	struct gntfb_import a;
	struct gntfb_imp *imp;
	struct file *file;
	u64 npages;
	int fd, ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags & ~GNTFB_IMPORT_FLAGS || a.domid >= DOMID_FIRST_RESERVED ||
	    !a.size)
		return -EINVAL;
	if (a.size > GNTFB_MAX_BUFFER_BYTES)
		return -E2BIG;
	if (!gntfb_domain_alive(a.domid))
		return -ESRCH;
	npages = DIV_ROUND_UP(a.size, GNTFB_PAGE_SIZE);
	imp = kvzalloc(struct_size(imp, refs, npages), GFP_KERNEL);
	if (!imp)
		return -ENOMEM;
	mutex_init(&imp->lock);
	INIT_LIST_HEAD(&imp->maps);
	imp->domid = a.domid;
	imp->npages = npages;

	/* reserve the budget first: a hostile caller cannot make us map more */
	mutex_lock(&gntfb_imp_lock);
	ret = gntfb_imp_account(imp);
	mutex_unlock(&gntfb_imp_lock);
	if (ret) {
		kvfree(imp);
		return ret;
	}
	ret = gntfb_read_directory(imp, a.dir_ref);
	if (ret)
		goto unaccount;

	file = gntfb_imp_file(imp, a.flags);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto unaccount;
	}
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		fput(file);	/* release() unaccounts and frees */
		return fd;
	}
	a.fd = fd;
	if (copy_to_user(uarg, &a, sizeof(a))) {
		put_unused_fd(fd);
		fput(file);
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;

unaccount:
	mutex_lock(&gntfb_imp_lock);
	list_del(&imp->node);
	imp->dom->pages -= imp->npages;
	gntfb_live_imports--;
	gntfb_live_pages -= imp->npages;
	if (list_empty(&imp->dom->imports)) {
		list_del(&imp->dom->node);
		kfree(imp->dom);
	}
	mutex_unlock(&gntfb_imp_lock);
	kvfree(imp);
	return ret;
}

static long gntfb_dev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct gntfb_import_stats st;
	u32 domid;

	switch (cmd) {
	case GNTFB_IOC_IMPORT:
		return gntfb_ioctl_import((void __user *)arg);
	case GNTFB_IOC_REVOKE_DOMAIN:
		if (get_user(domid, (u32 __user *)arg))
			return -EFAULT;
		if (domid >= DOMID_FIRST_RESERVED)
			return -EINVAL;
		gntfb_revoke_domain(domid);
		return 0;
	case GNTFB_IOC_IMPORT_STATS:
		mutex_lock(&gntfb_imp_lock);
		st.live_imports = gntfb_live_imports;
		st.live_pages = gntfb_live_pages;
		st.revoked_imports = gntfb_revoked;
		mutex_unlock(&gntfb_imp_lock);
		st.live_maps = atomic_read(&gntfb_live_maps);
		return copy_to_user((void __user *)arg, &st, sizeof(st)) ?
			       -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

/*
 * debugfs gntfb/imports: one line per guest domain with live imports,
 * "domid imports pages mmaps grant-maps", so that a test can tell one
 * domain's leak from another's. Read-only; takes the same locks as the
 * importer, in its order (gntfb_imp_lock, imp->lock, m->lock).
 */
static int gntfb_imports_show(struct seq_file *s, void *unused)
{
	struct gntfb_imp_dom *dom;
	struct gntfb_imp *imp;
	struct gntfb_map *m;
	unsigned int n, nmaps, mapped;

	seq_puts(s, "domid imports pages mmaps grant-maps\n");
	mutex_lock(&gntfb_imp_lock);
	list_for_each_entry(dom, &gntfb_imp_doms, node) {
		n = 0;
		nmaps = 0;
		mapped = 0;
		list_for_each_entry(imp, &dom->imports, node) {
			n++;
			mutex_lock(&imp->lock);
			nmaps += imp->nmaps;
			list_for_each_entry(m, &imp->maps, node) {
				mutex_lock(&m->lock);
				mapped += m->mapped;
				mutex_unlock(&m->lock);
			}
			mutex_unlock(&imp->lock);
		}
		seq_printf(s, "%u %u %u %u %u\n", dom->domid, n, dom->pages,
			   nmaps, mapped);
	}
	mutex_unlock(&gntfb_imp_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gntfb_imports);

static const struct file_operations gntfb_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = gntfb_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice gntfb_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "gntfb-import",
	.fops = &gntfb_dev_fops,
	.mode = 0600,
};

static int gntfb_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, GNTFB_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type gntfb_fs_type = {
	.name = "gntfb",
	.init_fs_context = gntfb_init_fs_context,
	.kill_sb = kill_anon_super,
};

/**
 * gntfb_import_init() - start the importer (/dev/gntfb-import)
 *
 * Return: 0, -ENODEV outside a PV domain, or a negative errno.
 */
int gntfb_import_init(void)
{
	int ret;

	/* the per-process grant map on PTEs is the PV mechanism */
	if (!xen_pv_domain()) {
		pr_err("gntfb: the importer needs a PV domain\n");
		return -ENODEV;
	}
	gntfb_scratch = kzalloc(sizeof(*gntfb_scratch), GFP_KERNEL);
	if (!gntfb_scratch)
		return -ENOMEM;
	ret = gnttab_alloc_pages(GNTFB_PROBE_BATCH, gntfb_scratch->pages);
	if (ret)
		goto free_scratch;
	gntfb_mnt = kern_mount(&gntfb_fs_type);
	if (IS_ERR(gntfb_mnt)) {
		ret = PTR_ERR(gntfb_mnt);
		goto free_pages;
	}
	INIT_WORK(&gntfb_death_work, gntfb_death_work_fn);
	register_xenstore_notifier(&gntfb_xenstore_nb);
	ret = misc_register(&gntfb_misc);
	if (ret)
		goto unwatch;
	/* debug information only: the importer works without it */
	gntfb_debugfs = debugfs_create_dir("gntfb", NULL);
	debugfs_create_file("imports", 0400, gntfb_debugfs, NULL,
			    &gntfb_imports_fops);
	return 0;

unwatch:
	unregister_xenstore_notifier(&gntfb_xenstore_nb);
	if (gntfb_watching)
		unregister_xenbus_watch(&gntfb_release_watch);
	flush_work(&gntfb_death_work);
	kern_unmount(gntfb_mnt);
free_pages:
	gnttab_free_pages(GNTFB_PROBE_BATCH, gntfb_scratch->pages);
free_scratch:
	kfree(gntfb_scratch);
	return ret;
}

/**
 * gntfb_import_exit() - stop the importer; every fd is closed by now
 */
void gntfb_import_exit(void)
{
	debugfs_remove_recursive(gntfb_debugfs);
	misc_deregister(&gntfb_misc);
	unregister_xenstore_notifier(&gntfb_xenstore_nb);
	if (gntfb_watching)
		unregister_xenbus_watch(&gntfb_release_watch);
	flush_work(&gntfb_death_work);
	kern_unmount(gntfb_mnt);
	gnttab_free_pages(GNTFB_PROBE_BATCH, gntfb_scratch->pages);
	kfree(gntfb_scratch);
	pr_info("gntfb: importer stopped, %d grant mappings left\n",
		atomic_read(&gntfb_live_maps));
}
