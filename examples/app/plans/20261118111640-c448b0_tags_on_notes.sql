-- schemaplan revision
-- id: 20261118111640-c448b0
-- parents: 20261118110640-4b3e2c
-- message: Tags on notes
-- created: 2026-11-18T11:16:40Z
-- checksum: sha256:9406414d6b456c2dab8d5579d8a011ab1734ada19b55ca3b15399edb2aa0a553
-- fingerprint: sha256:98f00af64dfc9b69b2a28f869ec55d7be3d241193d36fc8c5a1cc79e023e95d7

-- schemaplan:up

-- create-table table public.tags
CREATE TABLE public.tags (
    note_id bigint NOT NULL,
    tag text NOT NULL,
    CONSTRAINT tags_note_id_fkey FOREIGN KEY (note_id) REFERENCES public.notes(id) ON DELETE CASCADE,
    CONSTRAINT tags_pkey PRIMARY KEY (note_id, tag)
);

-- schemaplan:down

-- drop-table table public.tags
-- hazards: data-loss
DROP TABLE public.tags;
