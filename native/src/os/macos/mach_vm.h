/* <mach/mach_vm.h> is not among the headers Zig ships for macOS: its declarations of the calls
 * the macOS layer uses (the functions themselves are in libSystem). */
#ifndef BUFFERS_OS_MACOS_MACH_VM_H
#define BUFFERS_OS_MACOS_MACH_VM_H

#include <mach/mach.h>

extern kern_return_t mach_vm_region(vm_map_t target_task, mach_vm_address_t *address, mach_vm_size_t *size,
                                    vm_region_flavor_t flavor, vm_region_info_t info,
                                    mach_msg_type_number_t *info_count, mach_port_t *object_name);
extern kern_return_t mach_vm_allocate(vm_map_t target, mach_vm_address_t *address, mach_vm_size_t size, int flags);
extern kern_return_t mach_vm_protect(vm_map_t target_task, mach_vm_address_t address, mach_vm_size_t size,
                                     boolean_t set_maximum, vm_prot_t new_protection);

#endif
