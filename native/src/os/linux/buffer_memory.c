/* Is a range buffer memory of this process? Answered from one read of /proc/self/maps, reduced to
 * the regions the pure check (pure/maps.c) needs. */
#define _DEFAULT_SOURCE

#include "os/vmem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "pure/maps.h"
#include "os/linux/proc_maps.h"

struct vmem_memory_map {
    maps_region *regions;
    size_t       count, capacity;
    bool         out_of_memory;
};

static bool add_region(const maps_entry *entry, void *context) {
    vmem_memory_map *map = context;
    if (map->count == map->capacity) {
        size_t capacity = map->capacity ? map->capacity * 2 : 256;
        maps_region *grown = realloc(map->regions, capacity * sizeof *grown);
        if (!grown) {
            map->out_of_memory = true;
            return true;
        }
        map->regions = grown;
        map->capacity = capacity;
    }
    map->regions[map->count++] = maps_region_of(entry);
    return false;
}

int vmem_memory_map_open(vmem_memory_map **out) {
    *out = NULL;
    char *text;
    size_t length;
    int error = linux_read_proc_file("/proc/self/maps", &text, &length);
    if (error) return error;
    vmem_memory_map *map = calloc(1, sizeof *map);
    if (map) maps_for_each_entry(text, length, add_region, map);
    free(text);
    if (!map || map->out_of_memory) {
        vmem_memory_map_close(map);
        return ENOMEM;
    }
    *out = map;
    return 0;
}

void vmem_memory_map_close(vmem_memory_map *map) {
    if (!map) return;
    free(map->regions);
    free(map);
}

bool vmem_is_buffer_memory(const vmem_memory_map *map, uintptr_t address, size_t size, uintptr_t home,
                           size_t header_size, char *why, size_t why_size) {
    maps_kind kind = maps_check_range(map->regions, map->count, address, size, home, header_size);
    if (kind == MAPS_KIND_BUFFER) return true;
    snprintf(why, why_size, "%s (/proc/self/maps)", maps_kind_text(kind));
    return false;
}

bool vmem_is_dual_buffer_memory(const vmem_memory_map *map, uintptr_t code, uintptr_t write, size_t size, char *why,
                                size_t why_size) {
    maps_kind kind = maps_check_dual(map->regions, map->count, code, write, size);
    if (kind == MAPS_KIND_BUFFER) return true;
    snprintf(why, why_size, "%s (/proc/self/maps)", maps_kind_text(kind));
    return false;
}
