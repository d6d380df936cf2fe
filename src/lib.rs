//! hubsim: a seeded discrete-event simulator and scenario test harness for AWS Security Hub CSPM
//! managed across an AWS Organizations organization.
//!
//! Read the modules in this order: [`model`] (the world's state), [`rules`] (what each call does to
//! it, citing the rule of `RULES.md` behind every change), [`sim`] (when things happen: the
//! seeded discrete-event core), [`timeline`] (what happened), [`invariants`] (what must always
//! hold), [`scenario`] (the TOML format and its runner), [`workload`] and [`cli`].
//!
//! Drive the engine directly — build a world, apply a call, read the effects:
//!
//! ```
//! use hubsim::model::{AccountId, Region, RegionIdx, SimTime, WorldBuilder};
//! use hubsim::rules::{self, describe, Call, Operation, RuleId};
//!
//! let id = |text: &str| AccountId::parse(text).unwrap();
//! let mut world = WorldBuilder::new(vec![Region::parse("us-east-1").unwrap()], id("111111111111"))
//!     .account_in(id("222222222222"), "Security")
//!     .build()
//!     .unwrap();
//! let operation: Operation = serde_json::from_value(serde_json::json!({
//!     "Operation": "EnableOrganizationAdminAccount", "AdminAccountId": "222222222222"
//! })).unwrap();
//! let outcome = rules::apply(&mut world, SimTime::ZERO, &Call::by(id("111111111111"), RegionIdx(0), operation));
//! assert!(outcome.is_ok());
//! assert!(outcome.effects.iter().any(|e| e.rule == RuleId::ADMIN_3));
//! let first = describe::change(&world, &outcome.effects[0].change);
//! assert_eq!(first, "trusted access for securityhub.amazonaws.com on");
//! ```
//!
//! Or write a scenario, run it through the simulator and inspect the timeline and final state:
//! see [`scenario`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod capacity;
pub mod cli;
pub mod fuzz;
pub(crate) mod hint;
pub mod invariants;
pub mod metrics;
pub mod model;
pub mod rules;
pub mod scenario;
pub mod sim;
pub mod timeline;
pub mod workload;
