//! `ddb-catalog component`: inspect, stamp, sign, keygen, push, pull and wit-package, the
//! distribution of components (docs/distribution.md).

use super::{EXIT_FAILURES, checked_component, compile_cache_dir, fail};
use crate::cli::{
    ComponentCommand, InspectArgs, KeygenArgs, PullArgs, PushArgs, SandboxArgs, SignArgs,
    StampArgs, WitPackageArgs,
};
use crate::distribution::digest::Digest;
use crate::distribution::{ComponentSource, inspect, metadata, oci, signing, wit};
use crate::runtime::Runtime;
use crate::runtime::limits::Limits;
use std::path::Path;
use std::process::ExitCode;

pub async fn component(sandbox: &SandboxArgs, command: ComponentCommand) -> ExitCode {
    let result = match command {
        ComponentCommand::Inspect(args) => inspect(sandbox, args).await,
        ComponentCommand::Stamp(args) => stamp(args),
        ComponentCommand::Sign(args) => sign(args),
        ComponentCommand::Keygen(args) => keygen(args),
        ComponentCommand::Push(args) => push(args).await,
        ComponentCommand::Pull(args) => pull(sandbox, args).await,
        ComponentCommand::WitPackage(args) => wit_package(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(EXIT_FAILURES, &e),
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A component file, refused unless it decodes as a component.
fn read_component(path: &Path) -> Result<(Vec<u8>, wit::World), String> {
    let bytes = read_file(path)?;
    let world = wit::world_of(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((bytes, world))
}

async fn inspect(sandbox: &SandboxArgs, args: InspectArgs) -> Result<(), String> {
    let source = args.source.or_else(|| sandbox.component.clone());
    let (resolved, verified_by) = checked_component(sandbox, source.as_ref()).await?;
    let world = wit::world_of(&resolved.bytes);
    let schema = if world.is_ok() {
        let limits = Limits {
            memory_bytes: sandbox.memory_mb.max(16) << 20,
            ..Limits::default()
        };
        match Runtime::from_bytes(
            &resolved.bytes,
            &resolved.path.display().to_string(),
            compile_cache_dir(sandbox).as_deref(),
            limits,
            None,
        ) {
            Ok(runtime) => runtime
                .configuration_schema()
                .await
                .map_err(|failure| failure.to_string()),
            Err(e) => Err(format!("the component does not load: {e:#}")),
        }
    } else {
        Err("not a component".to_string())
    };
    let report = inspect::Report {
        resolved: &resolved,
        metadata: metadata::read(&resolved.bytes),
        signatures: signing::signatures(&resolved.bytes),
        verified_by: (!sandbox.trust_keys.is_empty()).then_some(verified_by),
        world,
        schema,
    };
    print!("{}", inspect::render(&report));
    Ok(())
}

fn stamp(args: StampArgs) -> Result<(), String> {
    let (bytes, _) = read_component(&args.file)?;
    let revision = match args.revision {
        Some(revision) => revision,
        None => metadata::git_revision(Path::new("."))?,
    };
    let mut stamp = metadata::Stamp::from_package(&revision);
    if let Some(url) = args.source_url {
        stamp.source = Some(url);
    }
    let stamped = metadata::stamp(&bytes, &stamp)?;
    write_file(&args.output, &stamped)?;
    eprintln!(
        "stamped {} -> {}: {} {} ({}), revision {}, {}",
        args.file.display(),
        args.output.display(),
        stamp.name,
        stamp.version,
        stamp.license,
        stamp.revision,
        Digest::of(&stamped)
    );
    Ok(())
}

fn sign(args: SignArgs) -> Result<(), String> {
    let (bytes, _) = read_component(&args.file)?;
    let key = signing::load_secret_key(&args.key)?;
    let signed = signing::sign(&bytes, &key)?;
    write_file(&args.output, &signed)?;
    eprintln!(
        "signed {} with key {} -> {} ({})",
        args.file.display(),
        signing::secret_key_id(&key),
        args.output.display(),
        Digest::of(&signed)
    );
    Ok(())
}

fn keygen(args: KeygenArgs) -> Result<(), String> {
    let (secret, public, id) = signing::keygen(&args.out)?;
    eprintln!(
        "wrote {} (the secret key, mode 0600: keep it private) and {} (pass it to --trust-key)",
        secret.display(),
        public.display()
    );
    println!("{id}");
    Ok(())
}

async fn push(args: PushArgs) -> Result<(), String> {
    let (mut bytes, world) = read_component(&args.file)?;
    let mut signed_by = None;
    if let Some(key) = &args.sign_key {
        let key = signing::load_secret_key(key)?;
        bytes = signing::sign(&bytes, &key)?;
        signed_by = Some(signing::secret_key_id(&key));
    }
    let shown = metadata::read(&bytes).unwrap_or_default();
    let mut info = oci::PushInfo {
        author: shown.authors.clone(),
        imports: world.imports,
        exports: world.exports,
        ..oci::PushInfo::default()
    };
    for (field, annotation) in [
        (&shown.version, "version"),
        (&shown.description, "description"),
        (&shown.licenses, "licenses"),
        (&shown.source, "source"),
        (&shown.revision, "revision"),
        (&shown.authors, "authors"),
        (&shown.homepage, "url"),
    ] {
        if let Some(value) = field {
            info.annotations.insert(
                format!("org.opencontainers.image.{annotation}"),
                value.clone(),
            );
        }
    }
    if let Some(name) = &shown.name {
        info.annotations
            .insert("org.opencontainers.image.title".to_string(), name.clone());
    }
    let (manifest, layer) = oci::push(&args.reference, &bytes, &info).await?;
    eprintln!(
        "pushed {} ({} bytes, layer {layer}{}) as {}",
        args.file.display(),
        bytes.len(),
        match &signed_by {
            Some(id) => format!(", signed by key {id}"),
            None => String::new(),
        },
        args.reference.pinned(&manifest)
    );
    println!("{manifest}");
    Ok(())
}

async fn pull(sandbox: &SandboxArgs, args: PullArgs) -> Result<(), String> {
    let source = ComponentSource::Oci(args.reference);
    let (resolved, _) = checked_component(sandbox, Some(&source)).await?;
    write_file(&args.output, &resolved.bytes)?;
    eprintln!("Component: {}", resolved.label);
    eprintln!("wrote {}", args.output.display());
    Ok(())
}

fn wit_package(args: WitPackageArgs) -> Result<(), String> {
    let (bytes, name) = wit::build_package(&args.wit)?;
    write_file(&args.out, &bytes)?;
    eprintln!(
        "wrote {} ({} bytes, {})",
        args.out.display(),
        bytes.len(),
        Digest::of(&bytes)
    );
    println!("{name}");
    Ok(())
}
