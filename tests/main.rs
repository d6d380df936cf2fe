//! The integration tests: one binary, one module per concern.

// Shared helpers: standard organizations, calls in API JSON shape, running a simulation.
mod support;

// The discrete-event core: determinism, seeds, races, stop reasons.
mod sim_core;
