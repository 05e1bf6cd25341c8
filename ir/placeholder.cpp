// replaced by the IR sources
