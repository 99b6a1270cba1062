// A stand-in for libtss2-esys.so.0 without any of its functions: tst_tpm_brokentss2 finds it first
// on LD_LIBRARY_PATH, so that loading tpm2-tss fails the way a broken installation would.
extern "C" int nexus_tss2_standin();
extern "C" int nexus_tss2_standin() {
    return 0;
}
