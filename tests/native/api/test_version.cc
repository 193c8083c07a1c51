// BUFFERS_VERSION_MAJOR/_MINOR/_PATCH are the compile-time twins of buffers_version() (the build
// also checks them against the project version when it configures).
#include <gtest/gtest.h>

#include <string>

#include <reloaded/buffers.h>

TEST(Version, MacrosMatchTheLibrary) {
    std::string expected = std::to_string(BUFFERS_VERSION_MAJOR) + "." + std::to_string(BUFFERS_VERSION_MINOR) + "." +
                           std::to_string(BUFFERS_VERSION_PATCH);
    EXPECT_EQ(expected, buffers_version());
}
