//! UI placeholder.
