// SPDX-License-Identifier: GPL-2.0-only
#include "damage.h"

#include <gtest/gtest.h>

namespace bulkhead::gui {
namespace {

TEST(MergeDamage, RepeatedWholeWindowStaysOneRectangle)
{
	std::vector<Rect> v;
	for (int i = 0; i < 5; i++)
		merge_damage(v, Rect{0, 0, 1920, 1080});
	EXPECT_EQ(v, (std::vector<Rect>{{0, 0, 1920, 1080}}));
}

TEST(MergeDamage, ContainedIsDroppedContainingReplaces)
{
	std::vector<Rect> v;
	merge_damage(v, Rect{10, 10, 20, 20});
	merge_damage(v, Rect{100, 100, 5, 5});
	merge_damage(v, Rect{12, 12, 5, 5}); // inside the first
	EXPECT_EQ(v, (std::vector<Rect>{{10, 10, 20, 20}, {100, 100, 5, 5}}));
	merge_damage(v, Rect{0, 0, 50, 50}); // holds the first
	EXPECT_EQ(v, (std::vector<Rect>{{100, 100, 5, 5}, {0, 0, 50, 50}}));
}

TEST(MergeDamage, OverlappingButNotContainedAreKept)
{
	std::vector<Rect> v;
	merge_damage(v, Rect{0, 0, 10, 10});
	merge_damage(v, Rect{5, 5, 10, 10});
	EXPECT_EQ(v.size(), 2u);
}

TEST(MergeDamage, PastTheLimitBecomesTheBoundingBox)
{
	std::vector<Rect> v;
	for (uint32_t i = 0; i <= kMaxDamageRects; i++)
		merge_damage(v, Rect{i * 10, i * 2, 3, 3});
	EXPECT_EQ(v, (std::vector<Rect>{{0, 0, kMaxDamageRects * 10 + 3, kMaxDamageRects * 2 + 3}}));
}

} // namespace
} // namespace bulkhead::gui
