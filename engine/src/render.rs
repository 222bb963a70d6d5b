//! Rendering of result values as text, the way Spark prints them.
