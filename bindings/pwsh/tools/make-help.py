#!/usr/bin/env python3
"""make-help.py - writes ../MemScry.dll-Help.xml (MAML, what Get-Help reads) from the
descriptions below: edit them here, run this, commit both. Standard library only."""
import html
E = html.escape
common_dump = [
 ("Dump", "MemoryDump[]", True, "named", "True (ByValue)", "Dumps opened by Get-MemoryDump. They stay open: close them with Close-MemoryDump or their Dispose() method.", "Dump"),
 ("Path", "String[]", True, "0", "True (ByValue, ByPropertyName)", "Dump files to open, process and close. Relative paths are resolved against the current PowerShell location; Get-ChildItem output binds by its FullName property. The format (raw, LiME, AVML, ELF core, kdump, flattened kdump, Windows crash dump) is detected by content.", "Path"),
 ("SymbolPath", "String[]", False, "named", "False", "Directories of ISF symbol tables in Volatility's layout (DIR/linux/*.json.xz, DIR/windows/...). Default: $env:MEMSCRY_SYMBOLS, ';'-separated, as the memscry CLI reads it. Dumps opened with the same list share loaded symbol tables.", "Path"),
 ("Parallel", "SwitchParameter", False, "named", "False", "Processes the dumps concurrently on threads of the cmdlet (at most -ThrottleLimit at once). Output is written from the pipeline thread, dump by dump in input order, so it is the same as a sequential run's; a dump that fails becomes one ErrorRecord and the others go on.", None),
 ("ThrottleLimit", "Int32", False, "named", "False", "How many dumps -Parallel processes at once (1 to 1024; default: the number of processors).", None),
]
def P(name, typ, req, pos, pipe, desc, pset=None):
    return (name, typ, req, pos, pipe, desc, pset)

cmds = [
 dict(name="Get-MemoryDump", synopsis="Opens memory dumps and returns MemoryDump objects that own the native handles.",
  desc=["Get-MemoryDump opens each dump file with libmemscry, detects its format and operating system (kernel banner for Linux, OS description and build for Windows) and returns a MemScry.MemoryDump object: Path, Format, Size, OS, Kernel, DetectionError, SymbolPath.",
        "The object holds the opened dump and its analysis session, so later cmdlets (Get-MemoryProcess, Invoke-MemoryPlugin, ...) reuse them without reopening the file or detecting again. Release it with Close-MemoryDump or its Dispose() method.",
        "A file that does not exist is an ObjectNotFound error, a file that is no dump or is damaged an InvalidData error; a dump whose operating system cannot be detected is still returned, with a warning and its DetectionError set."],
  params=[P("Path","String[]",True,"0","True (ByValue, ByPropertyName)","Dump files to open. Relative paths are resolved against the current PowerShell location; Get-ChildItem output binds by its FullName property."),
          common_dump[2][:6], common_dump[3][:6], common_dump[4][:6]],
  inputs=["System.String[]","System.IO.FileInfo"], outputs=["MemScry.MemoryDump"],
  examples=[("$d = Get-MemoryDump -Path ./dev-small.raw -SymbolPath /srv/symbols\n$d | Format-List", "Opens one dump and shows its format, size, OS and kernel banner."),
            ("Get-ChildItem /cases/*.lime | Get-MemoryDump -Parallel -ThrottleLimit 4", "Opens every LiME file of a directory, four at a time.")]),
 dict(name="Close-MemoryDump", synopsis="Closes dumps opened by Get-MemoryDump.",
  desc=["Close-MemoryDump releases the native session and dump of each MemoryDump (the same as its Dispose() method). Closing twice does nothing; a run under way on another thread keeps the handles alive until it returns. Cmdlets given a closed dump write an InvalidOperation error."],
  params=[P("Dump","MemoryDump[]",True,"0","True (ByValue)","The dumps to close.")],
  inputs=["MemScry.MemoryDump"], outputs=["None"],
  examples=[("$d = Get-MemoryDump ./dev-small.raw\n$d | Get-MemoryProcess\n$d | Close-MemoryDump", "Opens a dump, lists its processes and closes it.")]),
 dict(name="Get-MemoryProcess", synopsis="Lists the processes of memory dumps as MemoryProcess objects.",
  desc=["Get-MemoryProcess runs linux.pslist.PsList (Linux) or windows.pslist.PsList (Windows) in libmemscry and returns one MemScry.MemoryProcess per row, in the plugin's order: Pid, Ppid, Tid (Linux), Name, Offset, CreateTime, ExitTime, Threads, Handles, SessionId, Wow64 (Windows), CommandLine (with -IncludeCommandLine), DumpPath. The values are the ones `memscry -r json linux.pslist` prints.",
        "Dumps come from the pipeline (Get-MemoryDump objects) or from -Path, which opens each file, reads it and closes it."],
  params=[c[:6] for c in common_dump] + [P("IncludeCommandLine","SwitchParameter",False,"named","False","Also fills CommandLine, from linux.psaux (ARGS) or windows.cmdline (Args), joined by PID; a second plugin run that reads every process's memory, so it is not done by default. The text is the plugin's, as Volatility words it (including its messages for unreadable memory).")],
  inputs=["MemScry.MemoryDump","System.String[]","System.IO.FileInfo"], outputs=["MemScry.MemoryProcess"],
  examples=[("Get-MemoryProcess -Path ./dev-1k.raw -SymbolPath /srv/symbols | Where-Object Name -eq 'sshd'", "Lists the sshd processes of one dump."),
            ("Get-ChildItem /cases -Filter *.raw | Get-MemoryProcess -Parallel | Group-Object DumpPath", "Counts processes per dump, reading the dumps concurrently.")]),
 dict(name="Get-MemoryProcessTree", synopsis="Returns the parent/child process tree of memory dumps.",
  desc=["Get-MemoryProcessTree runs linux.pstree.PsTree or windows.pstree.PsTree and returns every process as a MemScry.MemoryProcessTreeNode, depth first: the MemoryProcess properties plus Depth (0 for a root) and Children (the node's child nodes). Windows nodes also carry CommandLine and ImagePath. The default view indents names by depth."],
  params=[c[:6] for c in common_dump] + [P("RootOnly","SwitchParameter",False,"named","False","Returns only the roots; their descendants stay reachable through Children.")],
  inputs=["MemScry.MemoryDump","System.String[]","System.IO.FileInfo"], outputs=["MemScry.MemoryProcessTreeNode"],
  examples=[("Get-MemoryProcessTree -Path ./dev-small.raw", "Shows the process tree, indented."),
            ("(Get-MemoryProcessTree -Path ./dev-small.raw -RootOnly | Where-Object Pid -eq 1).Children.Name", "Names the children of init.")]),
 dict(name="Test-ProcessTree", synopsis="Checks the process tree of memory dumps for anomalies.",
  desc=["Test-ProcessTree runs the memscry.proctree.ProcTreeCheck plugin (the checks live in libmemscry, so `memscry memscry.proctree` prints the same) and returns one MemScry.ProcessTreeFinding per anomaly: Rule, Severity (High, Medium, Low), Pid, Ppid, Process, Offset, Explanation, DumpPath.",
        "The checks: orphans whose parent never existed, a child created before its parent, duplicate PIDs, processes found by scanning but missing from the list, and on Windows the known parent/child and single-instance rules (lsass.exe once, a child of wininit.exe; svchost.exe a child of services.exe; ...)."],
  params=[c[:6] for c in common_dump] + [P("MinimumSeverity","String",False,"named","False","Returns only findings of at least this severity: Low, Medium or High.")],
  inputs=["MemScry.MemoryDump","System.String[]","System.IO.FileInfo"], outputs=["MemScry.ProcessTreeFinding"],
  examples=[("Get-ChildItem /cases/*.dmp | Test-ProcessTree -MinimumSeverity High -Parallel", "Reports the high-severity anomalies of every crash dump of a case."),
            ("Test-ProcessTree -Path ./win10.raw | Group-Object Rule", "Counts findings per rule.")]),
 dict(name="Invoke-MemoryScan", synopsis="Scans memory dumps with YARA rules.",
  desc=["Invoke-MemoryScan compiles the rules once (libyara), then runs memscry.malscan.MalScan on each dump and returns one MemScry.MemoryScanHit per match: Space (process, kernel or physical), Pid, Process, Region, Start, End, Protection, Offset (virtual), Physical, Rule, Component (the rule's string), Value (the matched bytes), DumpPath.",
        "Quick mode scans the executable and anonymous writable regions of every process and the loaded kernel modules; Full mode every mapped page of every process and all of physical memory. Progress is shown with Write-Progress, fed by the library's progress callback; Ctrl+C stops the scan."],
  params=[c[:6] for c in common_dump] + [
    P("Rule","String",False,"named","False","YARA rule source. A text that holds no rule is searched for as a plain string (rule r1, string $a), as Volatility's --yara-string does. Give -Rule or -RuleFile."),
    P("RuleFile","String",False,"named","False","A file of YARA rules: source, or rules compiled by yarac."),
    P("Mode","ScanMode",False,"named","False","Quick (default) or Full; see the description.")],
  inputs=["MemScry.MemoryDump","System.String[]","System.IO.FileInfo"], outputs=["MemScry.MemoryScanHit"],
  examples=[("Invoke-MemoryScan -Path ./dev-small.raw -Rule 'MEMF_YARA_MARKER_7ae8'", "Finds a string in the dump's processes and kernel modules."),
            ("Get-ChildItem /cases/*.raw | Invoke-MemoryScan -RuleFile ./rules.yar -Mode Full -Parallel", "Scans all of every dump with a rules file, dumps concurrently.")]),
 dict(name="Invoke-MemoryPlugin", synopsis="Runs any memscry plugin and returns its rows as objects.",
  desc=["Invoke-MemoryPlugin runs a plugin by its Volatility name (linux.lsmod.Lsmod) or alias (linux.lsmod) with its options, and returns each row as an object whose properties are Volatility's column names, after TreeDepth (the row's depth in a tree plugin, as Volatility's csv renderer writes it). Values are typed: integers as Int64, hex columns as UInt64, times as UTC DateTime, bytes as Byte[], absent cells as $null. Each row also has a DumpPath property, left out of the default view.",
        "A partial result (something the plugin should have read was missing) is returned with a warning per problem."],
  params=[c[:6] for c in common_dump] + [
    P("Name","String",True,"named","False","The plugin: full name or alias (`memscry --help` lists them)."),
    P("ArgumentList","String[]",False,"named","False","The plugin's options as the memscry command line spells them, for example '--pid', '1', '2'.")],
  inputs=["MemScry.MemoryDump","System.String[]","System.IO.FileInfo"], outputs=["System.Management.Automation.PSObject"],
  examples=[("Invoke-MemoryPlugin -Name linux.lsmod -Path ./dev-small.raw | Format-Table", "Lists the kernel modules."),
            ("Invoke-MemoryPlugin -Name linux.psaux -ArgumentList '--pid', '1' -Path ./dev-small.raw | Select-Object PID, ARGS", "Shows one process's arguments.")]),
]

def para(t): return "<maml:para>%s</maml:para>" % E(t)
out = ['<?xml version="1.0" encoding="utf-8"?>',
       '<!-- MAML help for the MemScry module (Get-Help <cmdlet> -Full). -->',
       '<helpItems schema="maml" xmlns="http://msh">']
for c in cmds:
    verb, noun = c["name"].split("-")
    x = ['<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">',
         '<command:details><command:name>%s</command:name><command:verb>%s</command:verb><command:noun>%s</command:noun>' % (c["name"], verb, noun),
         '<maml:description>%s</maml:description></command:details>' % para(c["synopsis"]),
         '<maml:description>%s</maml:description>' % "".join(para(d) for d in c["desc"])]
    def param_xml(p):
        name, typ, req, pos, pipe, desc = p[:6]
        posv = "named" if pos in ("named",) else pos.rstrip("?")
        aliases = {"Dump": "InputObject", "Path": "FullName", "Name": "Plugin", "ArgumentList": "Args"}.get(name, "none")
        value = "" if typ == "SwitchParameter" else '<command:parameterValue required="true" variableLength="false">%s</command:parameterValue>' % typ
        default = {"ThrottleLimit": "the processor count", "Mode": "Quick", "Parallel": "False", "RootOnly": "False"}.get(name, "None")
        return ('<command:parameter required="%s" variableLength="%s" globbing="false" pipelineInput="%s" position="%s" aliases="%s">'
                '<maml:name>%s</maml:name><maml:description>%s</maml:description>%s'
                '<dev:type><maml:name>%s</maml:name></dev:type><dev:defaultValue>%s</dev:defaultValue></command:parameter>') % (
                str(req).lower(), str(typ.endswith("[]")).lower(), pipe, posv, aliases, name, para(desc), value, typ, default)
    # syntax: one item per parameter set (Dump / Path) where both exist
    names = [p[0] for p in c["params"]]
    sets = [["Dump"], ["Path", "SymbolPath"]] if "Dump" in names and "Path" in names else [names]
    x.append('<command:syntax>')
    for s in sets:
        x.append('<command:syntaxItem><maml:name>%s</maml:name>' % c["name"])
        for p in c["params"]:
            if p[0] in ("Dump", "Path", "SymbolPath") and p[0] not in s and len(sets) > 1:
                continue
            x.append(param_xml(p))
        x.append('</command:syntaxItem>')
    x.append('</command:syntax><command:parameters>')
    x += [param_xml(p) for p in c["params"]]
    x.append('</command:parameters><command:inputTypes>')
    x += ['<command:inputType><dev:type><maml:name>%s</maml:name></dev:type></command:inputType>' % t for t in c["inputs"]]
    x.append('</command:inputTypes><command:returnValues>')
    x += ['<command:returnValue><dev:type><maml:name>%s</maml:name></dev:type></command:returnValue>' % t for t in c["outputs"]]
    x.append('</command:returnValues><command:examples>')
    for i, (code, rem) in enumerate(c["examples"], 1):
        x.append('<command:example><maml:title>-------------------------- Example %d --------------------------</maml:title><dev:code>%s</dev:code><dev:remarks>%s</dev:remarks></command:example>' % (i, E(code), para(rem)))
    x.append('</command:examples><command:relatedLinks><maml:navigationLink><maml:linkText>about MemScry: bindings/pwsh/README.md</maml:linkText></maml:navigationLink></command:relatedLinks></command:command>')
    out.append("\n".join(x))
out.append('</helpItems>')
open(__import__("os").path.join(__import__("os").path.dirname(__file__), "..", "MemScry.dll-Help.xml"), "w").write("\n".join(out) + "\n")
