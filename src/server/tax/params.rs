//! The year's parameters (knowledge/parameters/<year>.toml), each value with its source.
