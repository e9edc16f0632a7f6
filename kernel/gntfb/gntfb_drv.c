// SPDX-License-Identifier: GPL-2.0-only
/*
 * gntfb: zero-copy grant-mapped framebuffers between Xen domains.
 *
 * Guest role: a DRM/KMS device whose buffers are granted to the GUI domain
 * (a platform device this module creates in a domU). GUI-domain role: the
 * importer /dev/gntfb-import, which maps a guest's buffer into any process
 * that mmaps the fd it returns (PV only). See Documentation/gntfb.rst.
 */

#include <linux/module.h>
#include <linux/platform_device.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_probe_helper.h>
#include <xen/xen.h>

#include "gntfb.h"

/**
 * DOC: Security
 *
 * Guest role, the peer is the GUI domain. It may rewrite the ring's
 * consumer fields (the guest clamps prod - cons to the ring size and never
 * reads events back), flood the event channel (O(1) handler), keep
 * buffers mapped forever (they stay counted against max_granted_pages and
 * allocation fails with -ENOSPC; a mapped page is never freed or reused),
 * write any mode list (bounded parse, 16 modes, size limits). Data and
 * directory pages are granted read-only; only the ring page is writable.
 *
 * Importer role, the peer is a guest. It may forge directories (walk of
 * exactly the pages the size needs, each copied before use, repeated page
 * -ELOOP, short chain -EINVAL, every data ref trial-mapped at import),
 * claim huge buffers (-E2BIG over 16384x6144x4, per-guest page budget
 * import_max_pages -EDQUOT, import_max_maps mappings per import: together
 * they bound dom0 maptrack use), change pixels under the reader (tearing
 * only), die while mapped (imports revoked on @releaseDomain, readers get
 * SIGBUS, frames stay the zombie's until unmapped: never another domain's
 * memory). The cost of an import is proportional to its pages and not
 * rate-limited here: /dev/gntfb-import is root-only (0600) and its user,
 * the GUI daemon, rate-limits its guests.
 */

#define DRIVER_DESC "Xen grant-mapped framebuffer"
#define DRIVER_DATE "20261126"
#define DRIVER_MAJOR 1
#define DRIVER_MINOR 0

static char *role = "auto";
module_param(role, charp, 0444);
MODULE_PARM_DESC(role,
		 "auto (guest in a domU, importer in dom0), guest, import, both");

unsigned int gntfb_backend_domid;
module_param_named(backend_domid, gntfb_backend_domid, uint, 0444);
MODULE_PARM_DESC(backend_domid,
		 "guest: the GUI domain the buffers are granted to (default 0)");

unsigned int gntfb_max_granted_pages = 32768;
module_param_named(max_granted_pages, gntfb_max_granted_pages, uint, 0444);
MODULE_PARM_DESC(max_granted_pages,
		 "guest: cap on pages granted for buffers, all states (default 32768 = 128 MiB)");

unsigned int gntfb_max_free_bufs = 16;
module_param_named(max_free_bufs, gntfb_max_free_bufs, uint, 0444);
MODULE_PARM_DESC(max_free_bufs,
		 "guest: freed buffers kept granted for reuse (default 16)");

unsigned int gntfb_import_max_pages = 65536;
module_param_named(import_max_pages, gntfb_import_max_pages, uint, 0444);
MODULE_PARM_DESC(import_max_pages,
		 "importer: pages of live imports per guest domain (default 65536 = 256 MiB)");

unsigned int gntfb_import_max_maps = 8;
module_param_named(import_max_maps, gntfb_import_max_maps, uint, 0444);
MODULE_PARM_DESC(import_max_maps,
		 "importer: simultaneous mmaps of one imported buffer (default 8)");

static bool gntfb_guest_role, gntfb_import_role;
static struct platform_device *gntfb_pdev;

static const struct drm_ioctl_desc gntfb_ioctls[] = {
	DRM_IOCTL_DEF_DRV(GNTFB_CREATE, gntfb_ioctl_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(GNTFB_INFO, gntfb_ioctl_info, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(GNTFB_STATS, gntfb_ioctl_stats, DRM_RENDER_ALLOW),
};

DEFINE_DRM_GEM_FOPS(gntfb_fops);

static const struct drm_driver gntfb_driver = {
	.driver_features = DRIVER_MODESET | DRIVER_GEM | DRIVER_ATOMIC |
			   DRIVER_RENDER,
	.fops = &gntfb_fops,
	.ioctls = gntfb_ioctls,
	.num_ioctls = ARRAY_SIZE(gntfb_ioctls),
	.dumb_create = gntfb_dumb_create,
	.name = GNTFB_NAME,
	.desc = DRIVER_DESC,
	.date = DRIVER_DATE,
	.major = DRIVER_MAJOR,
	.minor = DRIVER_MINOR,
};

static int gntfb_probe(struct platform_device *pdev)
{
	struct gntfb_device *gdev;
	struct drm_device *drm;
	int ret;

	gdev = devm_drm_dev_alloc(&pdev->dev, &gntfb_driver,
				  struct gntfb_device, drm);
	if (IS_ERR(gdev))
		return PTR_ERR(gdev);
	drm = &gdev->drm;
	platform_set_drvdata(pdev, drm);

	ret = gntfb_ring_init(drm, &gdev->ring, gntfb_backend_domid);
	if (ret)
		return dev_err_probe(&pdev->dev, ret, "damage ring\n");
	ret = gntfb_pool_init(drm, &gdev->pool, &gdev->ring,
			      gntfb_backend_domid);
	if (ret)
		return ret;
	ret = gntfb_kms_init(gdev);
	if (ret)
		return dev_err_probe(&pdev->dev, ret, "KMS\n");
	ret = drm_dev_register(drm, 0);
	if (ret)
		return ret;
	drm_info(drm, "buffers granted to domain %u, ring ref %u port %u\n",
		 gntfb_backend_domid, gdev->ring.ref, gdev->ring.port);
	return 0;
}

static int gntfb_remove(struct platform_device *pdev)
{
	struct drm_device *drm = platform_get_drvdata(pdev);

	drm_dev_unplug(drm);
	drm_atomic_helper_shutdown(drm);
	return 0;
}

static struct platform_driver gntfb_platform_driver = {
	.driver = {
		.name = GNTFB_NAME,
	},
	.probe = gntfb_probe,
	.remove = gntfb_remove,
};

static int gntfb_guest_init(void)
{
	int ret;

	if (gntfb_backend_domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	ret = platform_driver_register(&gntfb_platform_driver);
	if (ret)
		return ret;
	gntfb_pdev = platform_device_register_simple(GNTFB_NAME, -1, NULL, 0);
	if (IS_ERR(gntfb_pdev)) {
		platform_driver_unregister(&gntfb_platform_driver);
		return PTR_ERR(gntfb_pdev);
	}
	return 0;
}

static void gntfb_guest_exit(void)
{
	platform_device_unregister(gntfb_pdev);
	platform_driver_unregister(&gntfb_platform_driver);
}

static int __init gntfb_init(void)
{
	int ret;

	if (!xen_domain())
		return -ENODEV;
	if (!strcmp(role, "auto")) {
		gntfb_guest_role = !xen_initial_domain();
		gntfb_import_role = xen_initial_domain();
	} else if (!strcmp(role, "guest")) {
		gntfb_guest_role = true;
	} else if (!strcmp(role, "import")) {
		gntfb_import_role = true;
	} else if (!strcmp(role, "both")) {
		gntfb_guest_role = true;
		gntfb_import_role = true;
	} else {
		pr_err("gntfb: unknown role '%s'\n", role);
		return -EINVAL;
	}
	if (gntfb_import_role) {
		ret = gntfb_import_init();
		if (ret)
			return ret;
	}
	if (gntfb_guest_role) {
		ret = gntfb_guest_init();
		if (ret) {
			if (gntfb_import_role)
				gntfb_import_exit();
			return ret;
		}
	}
	return 0;
}

static void __exit gntfb_exit(void)
{
	if (gntfb_guest_role)
		gntfb_guest_exit();
	if (gntfb_import_role)
		gntfb_import_exit();
}

module_init(gntfb_init);
module_exit(gntfb_exit);

MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_AUTHOR("Bulkhead developers");
MODULE_LICENSE("GPL");
