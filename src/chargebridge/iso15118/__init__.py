"""ISO 15118 Plug & Charge: the V2G and MO roots of the CA store, the V2G sub-CA that signs SECC
certificates, OCSP (GetCertificateStatus and contract authorization) and contract certificates
(Get15118EVCertificate through a pluggable provider). See docs/certificates.md."""
