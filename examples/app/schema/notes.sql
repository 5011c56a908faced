CREATE TABLE notes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL,
    body text NOT NULL DEFAULT ''
);

CREATE TABLE tags (
    note_id bigint NOT NULL REFERENCES notes ON DELETE CASCADE,
    tag text NOT NULL,
    PRIMARY KEY (note_id, tag)
);
