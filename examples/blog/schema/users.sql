-- People who write and comment.
CREATE TYPE user_role AS ENUM ('reader', 'author', 'editor', 'admin');

CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    display_name varchar(80) NOT NULL,
    role user_role NOT NULL DEFAULT 'reader',
    email_verified boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_format CHECK (position('@' IN email) > 1)
);

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

COMMENT ON TABLE users IS 'Everyone who can sign in.';
COMMENT ON COLUMN users.role IS 'What the user may do; admins manage everything.';
