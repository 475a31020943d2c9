//! Records
