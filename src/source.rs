//! Sources: a command-line SRC (database URL, `.sql` file or directory) into a Catalog.
