//! hubsim: a seeded discrete-event simulator and scenario test harness for AWS Security Hub CSPM
//! managed across an AWS Organizations organization.
//!
//! Read the modules in this order: [`model`] (the world's state), [`rules`] (what each call does to
//! it, citing the rule of `RULES.md` behind every change).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
pub mod model;
pub mod rules;
pub mod scenario;
pub mod sim;
pub mod timeline;
pub mod workload;
