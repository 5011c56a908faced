-- schemaplan revision
-- id: 20261118110640-4b3e2c
-- parents: 
-- message: Notes
-- created: 2026-11-18T11:06:40Z
-- checksum: sha256:1dfa1b2f02375e8e7c45b3d5aeb9f295c616ece0f47ffcf3488efadcfeb461aa
-- fingerprint: sha256:43181c97ad8dc02ad1c6a39a09e0fd047712864a760bdc8b1ebc0101930cb565

-- schemaplan:up

-- create-table table public.notes
CREATE TABLE public.notes (
    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
    title text NOT NULL,
    body text DEFAULT ''::text NOT NULL,
    CONSTRAINT notes_pkey PRIMARY KEY (id)
);

-- schemaplan:down

-- drop-table table public.notes
-- hazards: data-loss
DROP TABLE public.notes;
