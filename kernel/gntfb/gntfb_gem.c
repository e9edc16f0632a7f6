// SPDX-License-Identifier: GPL-2.0-only
/*
 * gntfb guest role: GEM objects backed by pages granted to the GUI domain,
 * from a size-classed pool that survives window resizes.
 */

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <xen/page.h>

#include "gntfb.h"

/**
 * DOC: Buffer pool
 *
 * Every buffer is granted page by page to the GUI domain, read-only, and
 * described by a page directory (struct gntfb_dir_page) whose first grant
 * ref names the buffer. Granting and ending grants on every window resize
 * is what exhausts grant tables elsewhere, so buffers are rounded up to a
 * size class (four classes per power of two: at most 25% waste) and a
 * freed buffer stays granted in the pool, to be zeroed and handed out
 * again for any request of its class.
 *
 * The pool holds at most max_free_bufs buffers; every page granted, in
 * any state, counts against max_granted_pages. A buffer leaving the pool
 * (pool full, cap reached, device gone) has its grants ended only when
 * Xen says the GUI domain no longer maps them (gnttab_try_end_foreign_access
 * fails while a mapping exists): until then it waits on the retiring list,
 * still counted, a RETIRE event asks the GUI domain to drop it, and a
 * delayed work retries. Only then are the pages freed.
 */

#define GNTFB_RETIRE_DELAY_MS 200

/* round a page count up to its size class: 4 classes per power of two */
static unsigned int gntfb_class_pages(unsigned int npages)
{
	unsigned int step;

	if (npages <= 4)
		return npages;
	step = 1u << (fls(npages - 1) - 3);
	return round_up(npages, step);
}

/* end every grant still active; true if the buffer holds no grant */
static bool gntfb_buf_end_grants(struct gntfb_buf *buf)
{
	unsigned int i, total = buf->npages + buf->ndir;
	bool done = true;

	for (i = 0; i < total; i++) {
		if (buf->refs[i] == INVALID_GRANT_REF)
			continue;
		if (gnttab_try_end_foreign_access(buf->refs[i]))
			buf->refs[i] = INVALID_GRANT_REF;
		else
			done = false;
	}
	return done;
}

static void gntfb_buf_free_pages(struct gntfb_buf *buf)
{
	unsigned int i;

	for (i = 0; i < buf->npages + buf->ndir; i++)
		if (buf->pages[i])
			__free_page(buf->pages[i]);
	kvfree(buf->pages);
	kvfree(buf->refs);
	kfree(buf);
}

/*
 * Hand a buffer to the grant table's deferred reclaim: used when the
 * device goes away with grants still mapped, and on allocation failure
 * (a hostile GUI domain may map refs it guessed). The kernel frees each page
 * once the GUI domain unmaps it; nothing is leaked and no page is reused
 * while mapped.
 */
static void gntfb_buf_abandon(struct gntfb_buf *buf)
{
	unsigned int i;

	for (i = 0; i < buf->npages + buf->ndir; i++) {
		if (buf->refs[i] != INVALID_GRANT_REF)
			gnttab_end_foreign_access(buf->refs[i], buf->pages[i]);
		else if (buf->pages[i])
			__free_page(buf->pages[i]);
	}
	kvfree(buf->pages);
	kvfree(buf->refs);
	kfree(buf);
}

static struct gntfb_buf *gntfb_buf_alloc(domid_t domid, unsigned int npages)
{
	unsigned int ndir = DIV_ROUND_UP(npages, GNTFB_DIR_REFS_PER_PAGE);
	unsigned int i, total = npages + ndir;
	struct gntfb_buf *buf;
	int ref;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;
	buf->npages = npages;
	buf->ndir = ndir;
	buf->pages = kvcalloc(total, sizeof(*buf->pages), GFP_KERNEL);
	buf->refs = kvmalloc_array(total, sizeof(*buf->refs), GFP_KERNEL);
	if (!buf->pages || !buf->refs)
		goto free;
	for (i = 0; i < total; i++)
		buf->refs[i] = INVALID_GRANT_REF;
	for (i = 0; i < total; i++) {
		buf->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!buf->pages[i])
			goto free;
	}
	for (i = 0; i < npages; i++) {
		ref = gnttab_grant_foreign_access(domid,
						  xen_page_to_gfn(buf->pages[i]),
						  1);
		if (ref < 0)
			goto end_grants;
		buf->refs[i] = ref;
	}
	/* grant the directory back to front so each page knows its next */
	for (i = ndir; i-- > 0;) {
		struct gntfb_dir_page *dir = page_address(buf->pages[npages + i]);
		unsigned int first = i * GNTFB_DIR_REFS_PER_PAGE;
		unsigned int n = min(npages - first, GNTFB_DIR_REFS_PER_PAGE);

		dir->next = i + 1 < ndir ? buf->refs[npages + i + 1] : 0;
		memcpy(dir->ref, &buf->refs[first], n * sizeof(dir->ref[0]));
		ref = gnttab_grant_foreign_access(domid,
						  xen_page_to_gfn(buf->pages[npages + i]),
						  1);
		if (ref < 0)
			goto end_grants;
		buf->refs[npages + i] = ref;
	}
	return buf;

end_grants:
	gntfb_buf_abandon(buf);
	return NULL;
free:
	if (buf->pages)
		for (i = 0; i < total; i++)
			if (buf->pages[i])
				__free_page(buf->pages[i]);
	kvfree(buf->pages);
	kvfree(buf->refs);
	kfree(buf);
	return NULL;
}

static unsigned int gntfb_buf_total(const struct gntfb_buf *buf)
{
	return buf->npages + buf->ndir;
}

/*
 * Try to give a buffer's grants back; caller holds pool->lock and has
 * already unlinked @buf. Frees it or parks it on the retiring list.
 */
static void gntfb_pool_retire(struct gntfb_pool *pool, struct gntfb_buf *buf)
{
	/* the importer names the buffer by its dir ref, ended first or not */
	struct gntfb_event ev = {
		.type = GNTFB_EV_RETIRE,
		.dir_ref = gntfb_buf_dir_ref(buf),
		.arg0 = buf->npages,
	};

	if (gntfb_buf_end_grants(buf)) {
		pool->granted_pages -= gntfb_buf_total(buf);
		gntfb_buf_free_pages(buf);
		return;
	}
	list_add_tail(&buf->node, &pool->retiring);
	pool->retiring_bufs++;
	if (pool->ring && !buf->retire_sent && ev.dir_ref != INVALID_GRANT_REF) {
		gntfb_ring_push(pool->ring, &ev);
		buf->retire_sent = true;
	}
	mod_delayed_work(system_wq, &pool->retire_work,
			 msecs_to_jiffies(GNTFB_RETIRE_DELAY_MS));
}

/* retry the retiring list; caller holds pool->lock */
static void gntfb_pool_reap(struct gntfb_pool *pool)
{
	struct gntfb_buf *buf, *tmp;

	list_for_each_entry_safe(buf, tmp, &pool->retiring, node) {
		if (!gntfb_buf_end_grants(buf))
			continue;
		list_del(&buf->node);
		pool->retiring_bufs--;
		pool->granted_pages -= gntfb_buf_total(buf);
		gntfb_buf_free_pages(buf);
	}
}

static void gntfb_pool_retire_work(struct work_struct *work)
{
	struct gntfb_pool *pool = container_of(to_delayed_work(work),
					       struct gntfb_pool, retire_work);

	mutex_lock(&pool->lock);
	gntfb_pool_reap(pool);
	if (!list_empty(&pool->retiring))
		mod_delayed_work(system_wq, &pool->retire_work,
				 msecs_to_jiffies(GNTFB_RETIRE_DELAY_MS * 5));
	mutex_unlock(&pool->lock);
}

/**
 * gntfb_pool_get() - a zeroed, granted buffer of at least @npages pages
 * @pool: the pool
 * @npages: data pages needed, at most GNTFB_MAX_BUFFER_PAGES
 *
 * Reuses a pooled buffer of the same size class (or up to half a class
 * larger); otherwise grants a new one if the cap allows, first retiring
 * pooled buffers to make room.
 *
 * Return: the buffer, or an ERR_PTR: -ENOSPC when the cap is reached,
 * -ENOMEM when pages or grant refs run out.
 */
struct gntfb_buf *gntfb_pool_get(struct gntfb_pool *pool, unsigned int npages)
{
	unsigned int cls = gntfb_class_pages(npages);
	unsigned int need = cls + DIV_ROUND_UP(cls, GNTFB_DIR_REFS_PER_PAGE);
	struct gntfb_buf *buf, *best = NULL;
	unsigned int i;

	mutex_lock(&pool->lock);
	list_for_each_entry(buf, &pool->free, node) {
		if (buf->npages < cls || buf->npages > cls + cls / 2)
			continue;
		if (!best || buf->npages < best->npages)
			best = buf;
	}
	if (best) {
		list_del(&best->node);
		pool->free_bufs--;
		pool->live_bufs++;
		pool->reuses++;
		mutex_unlock(&pool->lock);
		/* the previous user's pixels must not leak to the next one */
		for (i = 0; i < best->npages; i++)
			clear_highpage(best->pages[i]);
		return best;
	}
	gntfb_pool_reap(pool);
	while (pool->granted_pages + need > gntfb_max_granted_pages &&
	       !list_empty(&pool->free)) {
		buf = list_first_entry(&pool->free, struct gntfb_buf, node);
		list_del(&buf->node);
		pool->free_bufs--;
		gntfb_pool_retire(pool, buf);
	}
	if (pool->granted_pages + need > gntfb_max_granted_pages) {
		mutex_unlock(&pool->lock);
		return ERR_PTR(-ENOSPC);
	}
	pool->granted_pages += need;	/* reserve while unlocked */
	pool->live_bufs++;
	pool->allocs++;
	mutex_unlock(&pool->lock);

	buf = gntfb_buf_alloc(pool->domid, cls);
	if (!buf) {
		mutex_lock(&pool->lock);
		pool->granted_pages -= need;
		pool->live_bufs--;
		mutex_unlock(&pool->lock);
		return ERR_PTR(-ENOMEM);
	}
	return buf;
}

/**
 * gntfb_pool_put() - return a buffer that no GEM object uses any more
 * @pool: the pool
 * @buf: the buffer; stays granted in the pool unless the pool is full
 */
void gntfb_pool_put(struct gntfb_pool *pool, struct gntfb_buf *buf)
{
	struct gntfb_buf *old;

	mutex_lock(&pool->lock);
	pool->live_bufs--;
	list_add_tail(&buf->node, &pool->free);
	pool->free_bufs++;
	while (pool->free_bufs > gntfb_max_free_bufs) {
		old = list_first_entry(&pool->free, struct gntfb_buf, node);
		list_del(&old->node);
		pool->free_bufs--;
		gntfb_pool_retire(pool, old);
	}
	mutex_unlock(&pool->lock);
}

/**
 * gntfb_pool_stats() - snapshot of the pool's accounting
 * @pool: the pool
 * @st: filled in
 */
void gntfb_pool_stats(struct gntfb_pool *pool, struct drm_gntfb_stats *st)
{
	mutex_lock(&pool->lock);
	gntfb_pool_reap(pool);
	st->granted_pages = pool->granted_pages;
	st->max_pages = gntfb_max_granted_pages;
	st->live_bufs = pool->live_bufs;
	st->free_bufs = pool->free_bufs;
	st->retiring_bufs = pool->retiring_bufs;
	st->allocs = pool->allocs;
	st->reuses = pool->reuses;
	mutex_unlock(&pool->lock);
}

static void gntfb_pool_fini(struct drm_device *drm, void *data)
{
	struct gntfb_pool *pool = data;
	struct gntfb_buf *buf, *tmp;

	cancel_delayed_work_sync(&pool->retire_work);
	/* every GEM object is gone: only pooled and retiring buffers remain */
	list_splice_init(&pool->retiring, &pool->free);
	list_for_each_entry_safe(buf, tmp, &pool->free, node) {
		list_del(&buf->node);
		gntfb_buf_abandon(buf);
	}
}

/**
 * gntfb_pool_init() - set up a device's buffer pool
 * @drm: the device whose lifetime bounds the pool
 * @pool: the pool
 * @ring: the damage ring for RETIRE events, or NULL
 * @domid: the domain buffers are granted to
 *
 * Return: 0 or a negative errno.
 */
int gntfb_pool_init(struct drm_device *drm, struct gntfb_pool *pool,
		    struct gntfb_ring *ring, domid_t domid)
{
	mutex_init(&pool->lock);
	INIT_LIST_HEAD(&pool->free);
	INIT_LIST_HEAD(&pool->retiring);
	INIT_DELAYED_WORK(&pool->retire_work, gntfb_pool_retire_work);
	pool->ring = ring;
	pool->domid = domid;
	return drmm_add_action_or_reset(drm, gntfb_pool_fini, pool);
}

/* ---- GEM objects -------------------------------------------------------- */

static void gntfb_bo_free(struct drm_gem_object *obj)
{
	struct gntfb_bo *bo = to_gntfb_bo(obj);

	gntfb_pool_put(&to_gntfb_device(obj->dev)->pool, bo->buf);
	drm_gem_object_release(obj);
	kfree(bo);
}

static int gntfb_bo_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct gntfb_bo *bo = to_gntfb_bo(obj);

	/* drm_gem_mmap() set VM_PFNMAP: these are normal pages instead */
	vma->vm_flags &= ~VM_PFNMAP;
	vma->vm_flags |= VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	vma->vm_pgoff = 0;
	return vm_map_pages(vma, bo->buf->pages, obj->size >> PAGE_SHIFT);
}

static const struct vm_operations_struct gntfb_bo_vm_ops = {
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

static const struct drm_gem_object_funcs gntfb_bo_funcs = {
	.free = gntfb_bo_free,
	.mmap = gntfb_bo_mmap,
	.vm_ops = &gntfb_bo_vm_ops,
};

/**
 * gntfb_bo_create() - a GEM object of @size bytes on granted pages
 * @drm: the device
 * @size: bytes, at most GNTFB_MAX_BUFFER_BYTES
 *
 * Return: the object or an ERR_PTR.
 */
struct gntfb_bo *gntfb_bo_create(struct drm_device *drm, size_t size)
{
	struct gntfb_device *gdev = to_gntfb_device(drm);
	struct gntfb_buf *buf;
	struct gntfb_bo *bo;

	size = PAGE_ALIGN(size);
	if (!size || size > GNTFB_MAX_BUFFER_BYTES)
		return ERR_PTR(-EINVAL);
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	buf = gntfb_pool_get(&gdev->pool, size >> PAGE_SHIFT);
	if (IS_ERR(buf)) {
		kfree(bo);
		return ERR_CAST(buf);
	}
	bo->buf = buf;
	bo->base.funcs = &gntfb_bo_funcs;
	drm_gem_private_object_init(drm, &bo->base, size);
	return bo;
}

static int gntfb_bo_create_handle(struct drm_file *file, struct drm_device *drm,
				  u32 width, u32 height, u32 bpp, u32 *pitch,
				  u64 *size, u32 *handle, grant_ref_t *dir_ref)
{
	struct gntfb_bo *bo;
	u64 p, sz;
	int ret;

	if (!width || !height || width > GNTFB_MAX_WIDTH ||
	    height > GNTFB_MAX_HEIGHT || (bpp != 32 && bpp != 16))
		return -EINVAL;
	p = (u64)width * (bpp / 8);
	sz = p * height;
	bo = gntfb_bo_create(drm, sz);
	if (IS_ERR(bo))
		return PTR_ERR(bo);
	ret = drm_gem_handle_create(file, &bo->base, handle);
	if (!ret) {
		*pitch = p;
		*size = bo->base.size;
		if (dir_ref)
			*dir_ref = gntfb_buf_dir_ref(bo->buf);
	}
	/* the handle holds the reference now (or creation failed) */
	drm_gem_object_put(&bo->base);
	return ret;
}

/**
 * gntfb_dumb_create() - &drm_driver.dumb_create: a granted dumb buffer
 * @file: the DRM file
 * @drm: the device
 * @args: width, height, bpp in; handle, pitch, size out
 *
 * Return: 0 or a negative errno.
 */
int gntfb_dumb_create(struct drm_file *file, struct drm_device *drm,
		      struct drm_mode_create_dumb *args)
{
	return gntfb_bo_create_handle(file, drm, args->width, args->height,
				      args->bpp, &args->pitch, &args->size,
				      &args->handle, NULL);
}

/**
 * gntfb_ioctl_create() - DRM_IOCTL_GNTFB_CREATE
 * @drm: the device
 * @data: struct drm_gntfb_create
 * @file: the DRM file
 *
 * Return: 0 or a negative errno.
 */
int gntfb_ioctl_create(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct drm_gntfb_create *args = data;

	if (args->flags || args->pad)
		return -EINVAL;
	return gntfb_bo_create_handle(file, drm, args->width, args->height,
				      args->bpp, &args->pitch, &args->size,
				      &args->handle, &args->dir_ref);
}

/**
 * gntfb_ioctl_info() - DRM_IOCTL_GNTFB_INFO
 * @drm: the device
 * @data: struct drm_gntfb_info
 * @file: the DRM file
 *
 * Return: 0 or a negative errno.
 */
int gntfb_ioctl_info(struct drm_device *drm, void *data,
		     struct drm_file *file)
{
	struct drm_gntfb_info *args = data;
	struct drm_gem_object *obj;
	struct gntfb_bo *bo;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_gntfb_bo(obj);
	args->dir_ref = gntfb_buf_dir_ref(bo->buf);
	args->size = obj->size;
	args->npages = bo->buf->npages;
	args->backend_domid = to_gntfb_device(drm)->pool.domid;
	drm_gem_object_put(obj);
	return 0;
}

/**
 * gntfb_ioctl_stats() - DRM_IOCTL_GNTFB_STATS
 * @drm: the device
 * @data: struct drm_gntfb_stats
 * @file: the DRM file
 *
 * Return: 0.
 */
int gntfb_ioctl_stats(struct drm_device *drm, void *data,
		      struct drm_file *file)
{
	gntfb_pool_stats(&to_gntfb_device(drm)->pool, data);
	return 0;
}
