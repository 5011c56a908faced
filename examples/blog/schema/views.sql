-- What the front page reads.
CREATE VIEW published_posts AS
SELECT p.id, p.slug, p.title, p.published_at, u.display_name AS author,
       (SELECT count(*) FROM comments c WHERE c.post_id = p.id) AS comment_count
FROM posts p
JOIN users u ON u.id = p.author_id
WHERE p.status = 'published';
