// SPDX-License-Identifier: GPL-2.0-only
#include "secret.h"

#include <cerrno>
#include <sys/random.h>

namespace storage {

bulkhead::Result<Secret> random_secret(size_t len)
{
	Secret s(len);
	size_t done = 0;
	while (done < len) {
		ssize_t n = getrandom(s.data() + done, len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return bulkhead::Error::from_errno("getrandom", errno);
		done += size_t(n);
	}
	return s;
}

} // namespace storage
