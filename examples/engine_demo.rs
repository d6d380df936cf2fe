//! Drives the rules engine directly: build a small organization, turn on central configuration,
//! apply a root policy, disable trusted access, and print every effect with its rule.
//!
//! Run with `cargo run --release --example engine_demo`. Follow-up work runs in the order it was
//! emitted; `hubsim run` adds simulated time and latency on top of the same engine.

use std::collections::VecDeque;

use hubsim::model::{AccountId, Region, SimDuration, SimTime, WorldBuilder};
use hubsim::rules::{self, Call, Operation, describe};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let id = |text: &str| AccountId::parse(text).expect("valid id");
    let regions = vec![Region::parse("us-east-1").unwrap(), Region::parse("eu-west-1").unwrap()];
    let mut world = WorldBuilder::new(regions, id("111111111111"))
        .account_in(id("222222222222"), "Security")
        .account_in(id("333333333333"), "Workloads/Prod")
        .build()?;
    let home = world.regions.idx_of_code("us-east-1").unwrap();
    let root = world.org.nodes[0].aws_id.to_string();
    let steps: Vec<(&str, serde_json::Value)> = vec![
        (
            "111111111111",
            serde_json::json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": "222222222222"}),
        ),
        (
            "222222222222",
            serde_json::json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "ALL_REGIONS"}),
        ),
        (
            "222222222222",
            serde_json::json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": false,
            "AutoEnableStandards": "NONE", "OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}}),
        ),
        (
            "222222222222",
            serde_json::json!({"Operation": "CreateConfigurationPolicy", "Name": "baseline",
            "ConfigurationPolicy": {"SecurityHub": {"ServiceEnabled": true,
                "EnabledStandardIdentifiers": ["aws-foundational-security-best-practices/v/1.0.0"],
                "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": []}}}}),
        ),
        (
            "222222222222",
            serde_json::json!({"Operation": "StartConfigurationPolicyAssociation",
            "ConfigurationPolicyIdentifier": "baseline-id", "Target": {"RootId": root}}),
        ),
        (
            "111111111111",
            serde_json::json!({"Operation": "DisableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}),
        ),
    ];
    let mut now = SimTime::ZERO;
    let mut policy_id = String::new();
    for (caller, mut operation) in steps {
        if operation["ConfigurationPolicyIdentifier"] == "baseline-id" {
            operation["ConfigurationPolicyIdentifier"] = policy_id.clone().into();
        }
        let operation: Operation = serde_json::from_value(operation)?;
        let mut queue = VecDeque::from([Call::by(id(caller), home, operation)]);
        while let Some(call) = queue.pop_front() {
            now = now.after(SimDuration::from_secs(1));
            let outcome = rules::apply(&mut world, now, &call);
            println!("{now}  {}  {}", describe::caller(&world, &call), describe::call(&world, &call));
            match &outcome.result {
                Ok(response) => {
                    if let Some(id) = response.get("Id").and_then(|v| v.as_str()) {
                        policy_id = id.to_string();
                    }
                    println!("    ok");
                }
                Err(error) => println!("    {} [{}] {}", error.code, error.rule, error.message),
            }
            for effect in &outcome.effects {
                println!("    [{}] {}", effect.rule, describe::change(&world, &effect.change));
            }
            queue.extend(outcome.follow_ups.iter().map(|f| f.call()));
        }
    }
    Ok(())
}
