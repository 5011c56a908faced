//! Render: ordered changes into SQL, reverse SQL and hazards.
