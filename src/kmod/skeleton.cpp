#include "kmod/skeleton.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <sys/stat.h>

#include "base/atomic_file.h"
#include "base/system_error.h"

namespace ringside::kmod {

namespace {

// The strings include/linux/license.h accepts as free (no taint), plus "Proprietary".
constexpr std::array known_licenses = { "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL",
    "Dual MPL/GPL", "Proprietary" };

bool safe_c_string(const std::string& text)
{
    return std::none_of(text.begin(), text.end(),
        [](unsigned char c) { return c == '"' || c == '\\' || c == '\n' || c < 0x20 || c == 0x7f; });
}

std::string replace_all(std::string text, const std::string& from, const std::string& to)
{
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

const char* source_template = R"TEMPLATE(// SPDX-License-Identifier: @SPDX@
/*
 * @NAME@ - @DESCRIPTION@
 *
 * Build:   make                      (against /lib/modules/$(uname -r)/build)
 * Load:    insmod @NAME@.ko greeting=hi
 * Log:     dmesg | tail
 * Remove:  rmmod @NAME@
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

static char *greeting = "hello";
module_param(greeting, charp, 0444);
MODULE_PARM_DESC(greeting, "What the module says when it is loaded (default: hello)");

static int __init @NAME@_init(void)
{
	pr_info("@NAME@: loaded, %s\n", greeting);
	return 0;
}

static void __exit @NAME@_exit(void)
{
	pr_info("@NAME@: unloaded\n");
}

module_init(@NAME@_init);
module_exit(@NAME@_exit);

MODULE_LICENSE("@LICENSE@");
MODULE_AUTHOR("@AUTHOR@");
MODULE_DESCRIPTION("@DESCRIPTION@");
)TEMPLATE";

const char* makefile_template = R"TEMPLATE(# Builds @NAME@.ko against a kernel's headers (by default the running kernel's):
#   make                        # KDIR = /lib/modules/$(uname -r)/build
#   make KDIR=/path/to/headers  # another kernel
#   make clean
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

.PHONY: modules clean
)TEMPLATE";

const char* readme_template = R"TEMPLATE(# @NAME@

@DESCRIPTION@

    make                               # build @NAME@.ko for the running kernel
    sudo insmod @NAME@.ko greeting=hi  # load it with a parameter
    sudo dmesg | tail -n 2             # "@NAME@: loaded, hi"
    modinfo @NAME@.ko                  # license, author, description, parameters
    cat /sys/module/@NAME@/parameters/greeting
    sudo rmmod @NAME@                  # "@NAME@: unloaded"
)TEMPLATE";

std::string spdx_for(const std::string& license)
{
    if (license == "GPL" || license == "GPL v2")
        return "GPL-2.0";
    if (license == "GPL and additional rights")
        return "GPL-2.0+";
    if (license == "Dual BSD/GPL")
        return "GPL-2.0 OR BSD-3-Clause";
    if (license == "Dual MIT/GPL")
        return "GPL-2.0 OR MIT";
    if (license == "Dual MPL/GPL")
        return "GPL-2.0 OR MPL-1.1";
    return "LicenseRef-Proprietary";
}

}  // namespace

Result<void> validate_skeleton_request(const SkeletonRequest& request)
{
    const std::string& name = request.name;
    if (name.empty())
        return make_error(ErrorKind::InvalidArgument, "a module needs a name");
    if (name.size() > 55)
        return make_error(ErrorKind::InvalidArgument,
            "module name '" + name + "' is longer than the kernel's limit of 55 characters");
    bool identifier = (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')
        && std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
    if (!identifier)
        return make_error(ErrorKind::InvalidArgument, "module name '" + name
                + "' must be a C identifier (letters, digits and '_', not starting with a digit): it names "
                  "the init and exit functions");
    if (std::find(known_licenses.begin(), known_licenses.end(), request.license) == known_licenses.end()) {
        std::string list;
        for (const char* license : known_licenses)
            list += (list.empty() ? "" : ", ") + std::string("\"") + license + "\"";
        return make_error(ErrorKind::InvalidArgument,
            "license '" + request.license + "' is not one the kernel knows; use one of " + list);
    }
    for (const std::string* text : { &request.author, &request.description })
        if (!safe_c_string(*text))
            return make_error(ErrorKind::InvalidArgument,
                "'" + *text + "' cannot go into a C string as is (no quotes, backslashes or control characters)");
    return {};
}

std::vector<SkeletonFile> skeleton_files(const SkeletonRequest& request)
{
    std::string description = request.description.empty() ? "The " + request.name + " kernel module" : request.description;
    auto fill = [&](const char* text) {
        std::string out = replace_all(text, "@NAME@", request.name);
        out = replace_all(out, "@LICENSE@", request.license);
        out = replace_all(out, "@SPDX@", spdx_for(request.license));
        out = replace_all(out, "@AUTHOR@", request.author);
        return replace_all(out, "@DESCRIPTION@", description);
    };
    return {
        { request.name + ".c", fill(source_template) },
        { "Kbuild", "obj-m += " + request.name + ".o\n" },
        { "Makefile", fill(makefile_template) },
        { "README.md", fill(readme_template) },
    };
}

Result<std::string> write_skeleton(const SkeletonRequest& request)
{
    TRY_VOID(validate_skeleton_request(request));
    std::string folder = (request.directory.empty() ? std::string(".") : request.directory) + "/" + request.name;
    if (::mkdir(folder.c_str(), 0755) != 0) {
        if (errno == EEXIST)
            return make_error(ErrorKind::InvalidArgument, folder + ": already exists; choose another name or folder");
        return system_error(folder, errno);
    }
    for (const SkeletonFile& file : skeleton_files(request))
        TRY_VOID(write_file_atomically(folder + "/" + file.name, file.content));
    return folder;
}

}  // namespace ringside::kmod
