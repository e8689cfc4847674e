-- A small text upload's bytes, kept in the database rather than in a file of their own (decision 63):
-- creating, renaming and later opening one small file per upload cost a fifth of the server's CPU.
-- WITHOUT ROWID: the text key is the table's only b-tree.
CREATE TABLE document_contents (
    document_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    content BLOB NOT NULL
) WITHOUT ROWID;
