module demo.modular {
    requires reloaded.memory.buffers;
}
