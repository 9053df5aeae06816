"""Reading what the operating system records, through its own tools and files: crash and
hang records, the print system, Windows' and macOS' tools. Parsers are tested on real
captured output; nothing here knows about probes or rules."""
