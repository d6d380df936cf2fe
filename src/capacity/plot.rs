//! The SVG plot of a sweep: one metric against members, one line per Region count, the value
//! being the mean over seeds with each seed's value drawn as a point.

use plotters::prelude::*;

use super::{Metric, Sweep};

const COLORS: [RGBColor; 6] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
];

/// The plot as an SVG document.
pub fn plot_svg(sweep: &Sweep, metric: Metric) -> Result<String, String> {
    let mut members: Vec<usize> = sweep.runs.iter().map(|r| r.members).collect();
    members.sort_unstable();
    members.dedup();
    let mut region_counts: Vec<usize> = sweep.runs.iter().map(|r| r.regions).collect();
    region_counts.sort_unstable();
    region_counts.dedup();
    let scale = if metric.is_duration() { 60_000.0 } else { 1.0 };
    let unit = if metric.is_duration() { " (minutes)" } else { "" };
    // Runs without a value (no samples, or never reached) are left out of the plot.
    let value = |run: &super::PlanRun| metric.of(run).map(|v| v as f64 / scale);
    let y_max = sweep.runs.iter().filter_map(value).fold(0.0f64, f64::max).max(1e-9) * 1.1;
    let x_max = *members.last().unwrap_or(&1) as f64 * 1.05;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let caption = format!("{}: {} by members", sweep.plan.as_str(), metric.header());
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(0f64..x_max, 0f64..y_max)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("members")
            .y_desc(format!("{}{unit}", metric.header()))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, regions) in region_counts.iter().enumerate() {
            let color = COLORS[i % COLORS.len()];
            let means: Vec<(f64, f64)> = members
                .iter()
                .filter_map(|m| {
                    let values: Vec<f64> = sweep.point(*m, *regions).filter_map(value).collect();
                    (!values.is_empty()).then(|| (*m as f64, values.iter().sum::<f64>() / values.len() as f64))
                })
                .collect();
            chart
                .draw_series(LineSeries::new(means.clone(), color.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(format!("{regions} Region{}", if *regions == 1 { "" } else { "s" }))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
            let points = sweep
                .runs
                .iter()
                .filter(|r| r.regions == *regions)
                .filter_map(|r| value(r).map(|v| (r.members as f64, v)));
            chart.draw_series(points.map(|p| Circle::new(p, 3, color.filled()))).map_err(|e| e.to_string())?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
