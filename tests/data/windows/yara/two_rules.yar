rule user_env
{
    strings:
        $jurgen = { 4A 00 FC 00 72 00 67 00 65 00 6E 00 }
        $project = "PROJECT_NAME" wide
    condition:
        any of them
}

rule rootkit
{
    strings:
        $drv = "ROOTKIT_DRV" wide nocase
    condition:
        $drv
}
