"""IT's policy (the file, Group Policy or a macOS profile over it, checked key by key and
failing closed; only an administrator's file is trusted) and the person's own settings."""
