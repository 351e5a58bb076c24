//! HTTPS for the stand-in: a throwaway CA, made per server, signs a certificate for
//! `localhost` and `127.0.0.1`; the CA certificate is written as PEM for the workflow's
//! `sslConfig.certificatePath`.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::PathBuf;
use std::sync::Arc;

pub(crate) struct Tls {
    pub config: Arc<ServerConfig>,
    /// The CA certificate (PEM) that verifies the server.
    pub ca_certificate: PathBuf,
    /// Holds `ca_certificate` until the server is dropped.
    _dir: tempfile::TempDir,
}

impl Tls {
    pub fn new() -> Tls {
        let ca_params = {
            let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params
                .distinguished_name
                .push(DnType::CommonName, "e2e OpenMetadata stand-in CA");
            params.key_usages = vec![
                KeyUsagePurpose::KeyCertSign,
                KeyUsagePurpose::CrlSign,
                KeyUsagePurpose::DigitalSignature,
            ];
            params
        };
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
            .expect("CA certificate");

        let server_key = KeyPair::generate().expect("server key");
        let mut server_params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .expect("server params");
        server_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server_params.use_authority_key_identifier_extension = true;
        let server_cert = server_params
            .signed_by(&server_key, &ca)
            .expect("server certificate");

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![server_cert.der().clone(), ca.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
            )
            .expect("server certificate and key match");

        let dir = tempfile::tempdir().expect("a directory for the CA certificate");
        let ca_certificate = dir.path().join("ca.pem");
        std::fs::write(&ca_certificate, ca.pem()).expect("write the CA certificate");
        Tls {
            config: Arc::new(config),
            ca_certificate,
            _dir: dir,
        }
    }
}
