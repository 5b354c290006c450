//! Multi-process integration tests; one test binary per area.
