"""The cheap background reading and the 15-minute history: counters, the sampler, the ring,
per-process samples and the history the operating system keeps."""
