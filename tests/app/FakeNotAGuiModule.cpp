// A shared object without the tray module's entry points, for tst_app_guimodule.
extern "C" __attribute__((visibility("default"))) int fake_not_a_gui_module() {
    return 0;
}
