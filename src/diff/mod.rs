//! Diff: two Catalogs compared into Changes. Does no I/O and renders no SQL.
