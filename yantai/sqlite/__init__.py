"""The SQLite database backend of the embedded default (``yantai.sqlite.base``)."""
