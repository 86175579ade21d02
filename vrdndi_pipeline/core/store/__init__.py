"""The application database: schema, engine, transactions, upserts and frame tables."""
