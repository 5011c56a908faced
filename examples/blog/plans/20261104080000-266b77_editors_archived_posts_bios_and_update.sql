-- schemaplan revision
-- id: 20261104080000-266b77
-- parents: 20261103080000-65ddd4
-- message: Editors, archived posts, bios and update times
-- created: 2026-11-04T08:00:00Z
-- checksum: sha256:60ad109979bd81d54dbb2aa81ff98ea1577eaa31836cfd96ccf7950db5d5a66b
-- fingerprint: sha256:507237710d44bdad9616c1823df8fd3ae46b75bd8effb88e9b6cd93ccde892be
-- hazards: access-exclusive-lock, full-scan, index-build, not-reversible
-- transaction: none

-- schemaplan:up

-- drop-view view public.published_posts
DROP VIEW public.published_posts;

-- create-enum-value type public.post_status
-- hazards: not-reversible
ALTER TYPE public.post_status ADD VALUE 'archived';

-- create-enum-value type public.user_role
-- hazards: not-reversible
ALTER TYPE public.user_role ADD VALUE 'editor' AFTER 'author';

-- create-column column public.posts.updated_at
ALTER TABLE public.posts ADD COLUMN updated_at timestamp with time zone DEFAULT now() NOT NULL;

-- create-column column public.users.bio
ALTER TABLE public.users ADD COLUMN bio text;

-- create-column column public.users.updated_at
ALTER TABLE public.users ADD COLUMN updated_at timestamp with time zone DEFAULT now() NOT NULL;

-- alter-column column public.users.display_name
ALTER TABLE public.users ALTER COLUMN display_name TYPE character varying(80);

-- create-constraint constraint posts_published_has_date on public.posts
-- hazards: access-exclusive-lock, full-scan
ALTER TABLE public.posts ADD CONSTRAINT posts_published_has_date CHECK (((status <> 'published'::public.post_status) OR (published_at IS NOT NULL)));

-- create-constraint constraint users_email_format on public.users
-- hazards: access-exclusive-lock, full-scan
ALTER TABLE public.users ADD CONSTRAINT users_email_format CHECK ((POSITION(('@'::text) IN (email)) > 1));

-- create-index index public.post_tags_tag_idx
-- hazards: index-build
CREATE INDEX post_tags_tag_idx ON public.post_tags USING btree (tag_id);

-- create-index index public.posts_published_idx
-- hazards: index-build
CREATE INDEX posts_published_idx ON public.posts USING btree (published_at DESC) WHERE (status = 'published'::public.post_status);

-- create-view view public.published_posts
CREATE VIEW public.published_posts AS
SELECT p.id,
    p.slug,
    p.title,
    p.published_at,
    u.display_name AS author,
    ( SELECT count(*) AS count
           FROM public.comments c
          WHERE (c.post_id = p.id)) AS comment_count
   FROM (public.posts p
     JOIN public.users u ON ((u.id = p.author_id)))
  WHERE (p.status = 'published'::public.post_status);

-- alter-comment column public.users.role
COMMENT ON COLUMN public.users.role IS 'What the user may do; admins manage everything.';

-- schemaplan:down

-- drop-view view public.published_posts
DROP VIEW public.published_posts;

-- drop-index index public.post_tags_tag_idx
DROP INDEX public.post_tags_tag_idx;

-- drop-index index public.posts_published_idx
DROP INDEX public.posts_published_idx;

-- drop-constraint constraint posts_published_has_date on public.posts
ALTER TABLE public.posts DROP CONSTRAINT posts_published_has_date;

-- drop-constraint constraint users_email_format on public.users
ALTER TABLE public.users DROP CONSTRAINT users_email_format;

-- drop-column column public.posts.updated_at
-- hazards: data-loss
ALTER TABLE public.posts DROP COLUMN updated_at;

-- drop-column column public.users.bio
-- hazards: data-loss
ALTER TABLE public.users DROP COLUMN bio;

-- drop-column column public.users.updated_at
-- hazards: data-loss
ALTER TABLE public.users DROP COLUMN updated_at;

-- rename-type type public.post_status
ALTER TYPE public.post_status RENAME TO post_status__schemaplan_old;

-- rename-type type public.user_role
ALTER TYPE public.user_role RENAME TO user_role__schemaplan_old;

-- create-type type public.post_status
CREATE TYPE public.post_status AS ENUM ('draft', 'published');

-- create-type type public.user_role
CREATE TYPE public.user_role AS ENUM ('reader', 'author', 'admin');

-- alter-column column public.posts.status
-- hazards: table-rewrite, access-exclusive-lock
ALTER TABLE public.posts ALTER COLUMN status DROP DEFAULT, ALTER COLUMN status TYPE public.post_status USING status::text::public.post_status, ALTER COLUMN status SET DEFAULT 'draft'::public.post_status;

-- drop-type type public.post_status__schemaplan_old
DROP TYPE public.post_status__schemaplan_old;

-- alter-column column public.users.display_name
-- hazards: table-rewrite, access-exclusive-lock
ALTER TABLE public.users ALTER COLUMN display_name TYPE character varying(60);

-- alter-column column public.users.role
-- hazards: table-rewrite, access-exclusive-lock
ALTER TABLE public.users ALTER COLUMN role DROP DEFAULT, ALTER COLUMN role TYPE public.user_role USING role::text::public.user_role, ALTER COLUMN role SET DEFAULT 'reader'::public.user_role;

-- drop-type type public.user_role__schemaplan_old
DROP TYPE public.user_role__schemaplan_old;

-- create-view view public.published_posts
CREATE VIEW public.published_posts AS
SELECT p.id,
    p.slug,
    p.title,
    p.published_at,
    u.display_name AS author,
    ( SELECT count(*) AS count
           FROM public.comments c
          WHERE (c.post_id = p.id)) AS comment_count
   FROM (public.posts p
     JOIN public.users u ON ((u.id = p.author_id)))
  WHERE (p.status = 'published'::public.post_status);

-- alter-comment column public.users.role
COMMENT ON COLUMN public.users.role IS NULL;
