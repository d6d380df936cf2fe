//! The integration tests: one binary, one module per concern.

// Shared helpers: standard organizations, calls in API JSON shape, running a simulation.
mod support;

// The discrete-event core: determinism, seeds, races, stop reasons.
mod sim_core;

// Every bundled scenario: snapshot of its timeline, and its expectations hold.
mod scenarios;

// Every behavioural rule id of RULES.md is exercised by some scenario.
mod coverage;

// Same seed twice, 1 thread versus 4: byte-identical output.
mod determinism;

// The binary: exit codes, diagnostics for malformed files.
mod cli;

// Fuzzing through the binary: no violations, --jobs independence, shard merge, shrink round trip.
mod fuzz_smoke;

// Capacity: plans, retries and metrics against hand arithmetic; sweeps independent of threads.
mod capacity;
