-- schemaplan revision
-- id: 20261101080000-97bca7
-- parents: 
-- message: Create users
-- created: 2026-11-01T08:00:00Z
-- checksum: sha256:1303f4165d0cfef8d00ffec4ecdfc9b5b3d50d44fc4c69952073414ff5bafe03
-- fingerprint: sha256:82864d632eaa7b681736a56dfc7edab572e50073aa6deec7c9037783f2c8b718

-- schemaplan:up

-- create-type type public.user_role
CREATE TYPE public.user_role AS ENUM ('reader', 'author', 'admin');

-- create-table table public.users
CREATE TABLE public.users (
    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
    email text NOT NULL,
    display_name character varying(60) NOT NULL,
    role public.user_role DEFAULT 'reader'::public.user_role NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (id)
);
COMMENT ON TABLE public.users IS 'Everyone who can sign in.';

-- create-index index public.users_email_lower_key
CREATE UNIQUE INDEX users_email_lower_key ON public.users USING btree (lower(email));

-- schemaplan:down

-- drop-table table public.users
-- hazards: data-loss
DROP TABLE public.users;

-- drop-type type public.user_role
-- hazards: data-loss
DROP TYPE public.user_role;
