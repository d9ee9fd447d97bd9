"""Strategy isolation: the import allow-list, static checks, dependency pins and the registry."""
