//! Finding aggregators (OP-E1 … OP-E4): the home Region and its linked Regions, which also scope
//! central configuration.
//!
//! Implements AGG-1 … AGG-7, REG-5, QUOTA-7 and LIFE-11 (with the Q-10 choice: deleting the
//! aggregator under central configuration is allowed and ends it). Sources: Create/Update/Delete/
//! Get/ListFindingAggregators in the API reference; the user guide's
//! aggregation-central-configuration page.

use serde_json::{Value, json};

use super::access;
use super::cascade;
use super::catalog::RuleId;
use super::change::Change;
use super::orgadmin;
use super::outcome::{ApiError, ErrorCode, Response};
use super::{Ctx, Tx};
use crate::model::{AccountIdx, Aggregator, Region, RegionLinkingMode, RegionSet, World};

fn parse_regions(w: &World, mode: RegionLinkingMode, regions: Option<&[String]>) -> Result<RegionSet, ApiError> {
    let list = regions.unwrap_or(&[]);
    match mode {
        RegionLinkingMode::NoRegions | RegionLinkingMode::AllRegions if !list.is_empty() => {
            return Err(access::invalid(
                RuleId::AGG_2,
                format!("Regions must be empty with RegionLinkingMode {}", mode.api_name()),
            ));
        }
        RegionLinkingMode::AllRegionsExceptSpecified | RegionLinkingMode::SpecifiedRegions if list.is_empty() => {
            return Err(access::invalid(
                RuleId::AGG_2,
                format!("RegionLinkingMode {} needs a Regions list", mode.api_name()),
            ));
        }
        _ => {}
    }
    let mut set = RegionSet::EMPTY;
    for code in list {
        let region = Region::parse(code)
            .ok_or_else(|| access::invalid(RuleId::AGG_2, format!("`{code}` is not a Region code")))?;
        let idx = w
            .regions
            .idx_of(region)
            .ok_or_else(|| access::invalid(RuleId::REG_6, format!("{code} is not among the scenario's Regions")))?;
        set.insert(idx);
    }
    Ok(set)
}

fn owned(w: &World, ctx: Ctx, arn: &str) -> Result<Aggregator, ApiError> {
    match w.aggregators.get(&ctx.caller) {
        Some(aggregator) if &*aggregator.arn == arn => Ok(aggregator.clone()),
        _ => Err(ApiError::new(
            RuleId::ERR_12,
            ErrorCode::ResourceNotFoundException,
            format!("Finding aggregator {arn} not found"),
        )),
    }
}

fn from_home(aggregator: &Aggregator, ctx: Ctx) -> Result<(), ApiError> {
    if aggregator.home == ctx.region {
        Ok(())
    } else {
        Err(access::invalid(
            RuleId::AGG_3,
            "The finding aggregator can only be updated or deleted from its home Region",
        ))
    }
}

fn aggregator_json(w: &World, aggregator: &Aggregator) -> Value {
    let regions: Vec<&str> = aggregator.regions.iter().map(|r| w.regions.get(r).code()).collect();
    json!({
        "FindingAggregatorArn": aggregator.arn.to_string(),
        "FindingAggregationRegion": w.regions.get(aggregator.home).code(),
        "RegionLinkingMode": aggregator.mode,
        "Regions": regions,
    })
}

pub(super) fn create_finding_aggregator(
    tx: &mut Tx,
    ctx: Ctx,
    mode: RegionLinkingMode,
    regions: Option<&[String]>,
) -> Result<Response, ApiError> {
    let linked = parse_regions(tx.w(), mode, regions)?;
    access::hub_on(tx.w(), ctx)?;
    let w = tx.w();
    if w.enabled_membership(ctx.caller, ctx.region).is_some() {
        return Err(access::invalid(RuleId::AGG_4, "A finding aggregator cannot be created by a member account."));
    }
    if w.regions.get(ctx.region).is_opt_in() {
        return Err(access::invalid(RuleId::REG_5, "An opt-in Region cannot be the aggregation Region"));
    }
    if w.aggregators.contains_key(&ctx.caller) {
        return Err(access::invalid(RuleId::AGG_1, "The account already has a finding aggregator (QUOTA-7)"));
    }
    let arn = format!(
        "arn:aws:securityhub:{}:{}:finding-aggregator/{}",
        w.regions.get(ctx.region),
        w.account_id(ctx.caller),
        crate::model::ids::uuid_text(w.account_id(ctx.caller).number() ^ (ctx.region.0 as u64) << 48)
    );
    let aggregator = Aggregator { arn: arn.into(), home: ctx.region, mode, regions: linked };
    tx.emit(RuleId::AGG_1, Change::AggregatorSet { owner: ctx.caller, aggregator: Box::new(aggregator.clone()) });
    Ok(aggregator_json(tx.w(), &aggregator))
}

pub(super) fn update_finding_aggregator(
    tx: &mut Tx,
    ctx: Ctx,
    arn: &str,
    mode: RegionLinkingMode,
    regions: Option<&[String]>,
) -> Result<Response, ApiError> {
    let linked = parse_regions(tx.w(), mode, regions)?;
    access::hub_on(tx.w(), ctx)?;
    let current = owned(tx.w(), ctx, arn)?;
    from_home(&current, ctx)?;
    let central = tx.w().central.da == Some(ctx.caller) && !tx.w().central_scope().is_empty();
    let before = tx.w().central_scope();
    let updated = Aggregator { mode, regions: linked, ..current };
    tx.emit(RuleId::AGG_3, Change::AggregatorSet { owner: ctx.caller, aggregator: Box::new(updated.clone()) });
    if central {
        link_changes(tx, ctx.caller, before);
    }
    Ok(aggregator_json(tx.w(), &updated))
}

/// AGG-6: linked Regions added under central configuration get the DA designated and every
/// governed account's configuration applied there; removed ones keep their settings.
fn link_changes(tx: &mut Tx, da: AccountIdx, before: RegionSet) {
    let after = tx.w().central_scope();
    let added = after.minus(before);
    for region in before.minus(after).iter() {
        // AGG-6 MODEL CHOICE (as LIFE-11 for the home Region): an unlinked Region is back under
        // local configuration.
        if tx.w().org_config(region).is_some_and(|c| c.configuration_type == crate::model::ConfigurationType::Central) {
            tx.emit(
                RuleId::AGG_6,
                Change::OrganizationConfiguration { region, config: Some(crate::model::OrgConfig::fresh()) },
            );
        }
        // AGG-6: policies stop in a removed Region; accounts keep their settings there.
        for account in tx.w().account_indices().collect::<Vec<_>>() {
            if tx.w().ar(account, region).association().value.is_some() {
                cascade::clear_result(tx, account, region, RuleId::AGG_6);
            }
        }
    }
    for region in added.iter() {
        if tx.w().region_usable(da, region) && tx.w().sh_admin(region).is_none() {
            orgadmin::designate(tx, region, da, false);
        }
        let config = crate::model::OrgConfig::central(crate::model::OrgConfigStatus::Enabled);
        if tx.w().sh_admin(region) == Some(da) {
            tx.emit(RuleId::AGG_6, Change::OrganizationConfiguration { region, config: Some(config) });
        }
        let governed: Vec<AccountIdx> =
            tx.w().account_indices().filter(|a| tx.w().in_org(*a) && tx.w().effective(*a).value().is_some()).collect();
        for account in governed {
            cascade::retarget(tx, account, RegionSet::EMPTY.with(region), None, RuleId::AGG_6);
        }
    }
}

pub(super) fn delete_finding_aggregator(tx: &mut Tx, ctx: Ctx, arn: &str) -> Result<Response, ApiError> {
    access::hub_on(tx.w(), ctx)?;
    let current = owned(tx.w(), ctx, arn)?;
    from_home(&current, ctx)?;
    if tx.w().central.da == Some(ctx.caller) {
        // LIFE-11 / AGG-7: the home Region goes, and central configuration with it.
        cascade::end_central(tx, RuleId::LIFE_11, true);
    }
    tx.emit(RuleId::AGG_7, Change::AggregatorDeleted { owner: ctx.caller });
    Ok(json!({}))
}

pub(super) fn get_finding_aggregator(w: &World, ctx: Ctx, arn: &str) -> Result<Response, ApiError> {
    access::hub_on(w, ctx)?;
    // AGG-3: readable from any Region; AGG-4: members see their administrator's aggregation.
    let admin = w.enabled_membership(ctx.caller, ctx.region).map(|r| r.administrator);
    let found = [Some(ctx.caller), admin]
        .into_iter()
        .flatten()
        .filter_map(|owner| w.aggregators.get(&owner))
        .find(|a| &*a.arn == arn);
    match found {
        Some(aggregator) => Ok(aggregator_json(w, aggregator)),
        None => Err(ApiError::new(
            RuleId::ERR_12,
            ErrorCode::ResourceNotFoundException,
            format!("Finding aggregator {arn} not found"),
        )),
    }
}

pub(super) fn list_finding_aggregators(w: &World, ctx: Ctx, max_results: Option<u32>) -> Result<Response, ApiError> {
    access::page_size(max_results, 100)?;
    access::hub_on(w, ctx)?;
    let aggregators: Vec<Value> = w
        .aggregators
        .get(&ctx.caller)
        .map(|a| json!({ "FindingAggregatorArn": a.arn.to_string() }))
        .into_iter()
        .collect();
    Ok(json!({ "FindingAggregators": aggregators }))
}
