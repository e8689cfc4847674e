-- A small text upload's bytes, kept in the database rather than in a file of their own (decision 63):
-- creating, renaming and later opening one small file per upload cost a fifth of the server's CPU.
CREATE TABLE document_contents (
    document_id uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    content bytea NOT NULL
);
