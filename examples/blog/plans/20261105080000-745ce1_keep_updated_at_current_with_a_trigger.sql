-- schemaplan revision
-- id: 20261105080000-745ce1
-- parents: 20261104080000-266b77
-- message: Keep updated_at current with a trigger
-- created: 2026-11-05T08:00:00Z
-- checksum: sha256:e8bba9e8e47947a62fddc878b48c82e962799d6482f30f1d86e8622c8b0cddc0
-- fingerprint: sha256:893ff11610fda3515f305142b18bb3d182b30a97aaaef1e3bc24dc2f05561fc4

-- schemaplan:up

SET check_function_bodies = false;

-- create-function function public.touch_updated_at()
CREATE OR REPLACE FUNCTION public.touch_updated_at()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$function$;

-- create-trigger trigger posts_touch on public.posts
CREATE TRIGGER posts_touch BEFORE UPDATE ON public.posts FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

-- create-trigger trigger users_touch on public.users
CREATE TRIGGER users_touch BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

-- schemaplan:down

-- drop-trigger trigger posts_touch on public.posts
DROP TRIGGER posts_touch ON public.posts;

-- drop-trigger trigger users_touch on public.users
DROP TRIGGER users_touch ON public.users;

-- drop-function function public.touch_updated_at()
DROP FUNCTION public.touch_updated_at();
