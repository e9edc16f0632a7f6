// SPDX-License-Identifier: GPL-2.0-only
// Interning X atoms (header-only; for the xcb users of the GUI code: agent,
// guid, their clipboards and the tests).
#pragma once

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include <xcb/xcb.h>

namespace bulkhead::gui {

// The atom called `name` (created if missing); XCB_ATOM_NONE if the server
// did not answer.
inline xcb_atom_t intern_atom(xcb_connection_t *c, const char *name)
{
	auto *r = xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, uint16_t(strlen(name)), name),
					nullptr);
	xcb_atom_t a = r ? r->atom : xcb_atom_t(XCB_ATOM_NONE);
	free(r);
	return a;
}

// The same, remembered in `cache` (one round trip per name and connection).
inline xcb_atom_t intern_atom(xcb_connection_t *c, std::map<std::string, xcb_atom_t> &cache,
			      const char *name)
{
	auto it = cache.find(name);
	if (it != cache.end())
		return it->second;
	xcb_atom_t a = intern_atom(c, name);
	cache.emplace(name, a);
	return a;
}

} // namespace bulkhead::gui
