//! The probes, one module per kind of attack; [`run`] runs those of the configured mode. A mode
//! that is meant to be stopped by the host (memory, CPU, time) never returns.

mod configuration;
mod destinations;
mod environment;
pub mod exhaustion;
#[cfg(feature = "forbidden-imports")]
mod files;
mod headers;
mod host_memory;
mod log;
mod outbound_load;
mod results;
#[cfg(feature = "forbidden-imports")]
mod sockets;

use crate::mode::Mode;
use crate::observations::Observations;
use crate::settings::Settings;

pub fn run(settings: &Settings) -> Observations {
    println!(
        "hostile guest {}: mode {}",
        settings.tenant,
        settings.mode.name()
    );
    let mut seen = Observations::default();
    match settings.mode {
        Mode::WellBehaved | Mode::TrapAfterBatch | Mode::SpinAfterBatch | Mode::GrowAfterBatch => {
            configuration::probe(settings, &mut seen)
        }
        Mode::HttpDestinations => destinations::probe(settings, &mut seen),
        Mode::HttpHeaders => headers::probe(settings, &mut seen),
        #[cfg(feature = "forbidden-imports")]
        Mode::Files => files::probe(&mut seen),
        #[cfg(feature = "forbidden-imports")]
        Mode::Sockets => sockets::probe(settings, &mut seen),
        #[cfg(not(feature = "forbidden-imports"))]
        Mode::Files | Mode::Sockets => seen.record(
            "forbidden imports",
            "this build imports neither wasi:filesystem nor wasi:sockets",
        ),
        Mode::Environment => environment::probe(&mut seen),
        Mode::GrowMemory => exhaustion::grow_memory(),
        Mode::AllocateHuge => exhaustion::allocate_huge(&mut seen),
        Mode::Spin => exhaustion::spin(),
        Mode::Sleep => exhaustion::sleep(),
        Mode::Recurse => exhaustion::recurse(),
        Mode::Exit => exhaustion::exit(),
        Mode::FloodLog => log::flood(settings.count_or(8), &mut seen),
        Mode::FloodBlankLines => log::flood_blank_lines(settings.count_or(8), &mut seen),
        Mode::HideDenial => log::hide_denial(settings.count_or(1), &mut seen),
        Mode::ForgeLog => log::forge(&mut seen),
        Mode::HugeResult => results::huge(settings.count_or(1_000_000), &mut seen),
        Mode::AliasedResult => results::aliased(settings.count_or(64), &mut seen),
        Mode::HugeWarning => results::huge_warning(settings.count_or(400), &mut seen),
        Mode::HostileStrings
        | Mode::ScopeHijack
        | Mode::LongScope
        | Mode::RepeatTables
        | Mode::CostlySchema
        | Mode::ManyDestinations
        | Mode::BadDestinations
        | Mode::LineageHijack => {}
        Mode::HostMemory => host_memory::probe(settings.count_or(64), &mut seen),
        Mode::Handles => host_memory::handles(settings.count_or(10_000), &mut seen),
        Mode::ManyRequests => outbound_load::many_requests(settings, &mut seen),
        Mode::LargeResponse => outbound_load::large_response(settings, &mut seen),
    }
    seen
}
