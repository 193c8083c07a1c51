/* <mach/mach_vm.h> is not among the headers Zig ships for macOS: its declarations of the calls
 * the macOS layer uses (the functions themselves are in libSystem), and one helper of its own. */
#ifndef BUFFERS_OS_MACOS_MACH_VM_H
#define BUFFERS_OS_MACOS_MACH_VM_H

#include <mach/mach.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern kern_return_t mach_vm_region(vm_map_t target_task, mach_vm_address_t *address, mach_vm_size_t *size,
                                    vm_region_flavor_t flavor, vm_region_info_t info,
                                    mach_msg_type_number_t *info_count, mach_port_t *object_name);
extern kern_return_t mach_vm_allocate(vm_map_t target, mach_vm_address_t *address, mach_vm_size_t size, int flags);
extern kern_return_t mach_vm_protect(vm_map_t target_task, mach_vm_address_t address, mach_vm_size_t size,
                                     boolean_t set_maximum, vm_prot_t new_protection);
extern kern_return_t mach_vm_remap(vm_map_t target_task, mach_vm_address_t *target_address, mach_vm_size_t size,
                                   mach_vm_offset_t mask, int flags, vm_map_t src_task, mach_vm_address_t src_address,
                                   boolean_t copy, vm_prot_t *cur_protection, vm_prot_t *max_protection,
                                   vm_inherit_t inheritance);
extern kern_return_t mach_vm_region_recurse(vm_map_t target_task, mach_vm_address_t *address, mach_vm_size_t *size,
                                            natural_t *nesting_depth, vm_region_recurse_info_t info,
                                            mach_msg_type_number_t *info_count);

/* A Mach error as an errno (os/macos/vmem.c), for callers that print and classify errno values:
 * KERN_NO_SPACE (the range is in use) is EEXIST. */
int macos_errno_of(kern_return_t result);

/* True when [address, address + size) lies within the addresses user code may map (vmem.h's min
 * and max). */
bool macos_fits_user_space(uintptr_t address, size_t size);

#endif
