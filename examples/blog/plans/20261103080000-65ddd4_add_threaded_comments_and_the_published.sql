-- schemaplan revision
-- id: 20261103080000-65ddd4
-- parents: 20261102080000-d0292e
-- message: Add threaded comments and the published posts view
-- created: 2026-11-03T08:00:00Z
-- checksum: sha256:010b9ecfb8e6a7871e21e5de48ea646196a0fd94da2678befba4dab29386061f
-- fingerprint: sha256:a3eec4b6ac46d10a965d23e2b98178fc3c2701020030ccbde9ca4d3b0bf55905

-- schemaplan:up

-- create-table table public.comments
CREATE TABLE public.comments (
    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
    post_id bigint NOT NULL,
    author_id bigint,
    parent_id bigint,
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT comments_author_id_fkey FOREIGN KEY (author_id) REFERENCES public.users(id) ON DELETE SET NULL,
    CONSTRAINT comments_body_check CHECK (((length(body) >= 1) AND (length(body) <= 10000))),
    CONSTRAINT comments_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.comments(id) ON DELETE CASCADE,
    CONSTRAINT comments_pkey PRIMARY KEY (id),
    CONSTRAINT comments_post_id_fkey FOREIGN KEY (post_id) REFERENCES public.posts(id) ON DELETE CASCADE
);

-- create-index index public.comments_post_idx
CREATE INDEX comments_post_idx ON public.comments USING btree (post_id, created_at);

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

-- schemaplan:down

-- drop-view view public.published_posts
DROP VIEW public.published_posts;

-- drop-table table public.comments
-- hazards: data-loss
DROP TABLE public.comments;
