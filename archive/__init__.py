"""The City's records archive under RECORDS_DIR: append-only, hash-chained files of what was
posted, every comment version and every moderation decision, with a search index rebuilt from
them, retention rules and FOI exports."""
