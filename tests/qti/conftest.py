"""Fixtures for the tests of the stand-alone ``qti`` package."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.shared import shared_path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

QTI3_ITEM = """\
<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsglobal.org/xsd/imsqtiasi_v3p0 \
https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
    identifier="item_capital" title="Capital" adaptive="false" time-dependent="false"
    xml:lang="en">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
    <qti-correct-response>
      <qti-value>choice_a</qti-value>
    </qti-correct-response>
  </qti-response-declaration>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float">
    <qti-default-value>
      <qti-value>0</qti-value>
    </qti-default-value>
  </qti-outcome-declaration>
  <qti-item-body>
    <p><img src="img/jakarta.png" alt="Jakarta skyline"/></p>
    <qti-choice-interaction response-identifier="RESPONSE" max-choices="1">
      <qti-prompt>What is the capital of Indonesia?</qti-prompt>
      <qti-simple-choice identifier="choice_a">Jakarta</qti-simple-choice>
      <qti-simple-choice identifier="choice_b">Bandung</qti-simple-choice>
      <qti-simple-choice identifier="choice_c">Surabaya</qti-simple-choice>
    </qti-choice-interaction>
  </qti-item-body>
  <qti-response-processing \
template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>
</qti-assessment-item>
"""

QTI21_ITEM = """\
<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsglobal.org/xsd/imsqti_v2p1 \
http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
    identifier="item_capital" title="Capital" adaptive="false" timeDependent="false"
    xml:lang="en">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse>
      <value>choice_a</value>
    </correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float">
    <defaultValue>
      <value>0</value>
    </defaultValue>
  </outcomeDeclaration>
  <itemBody>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="1">
      <prompt>What is the capital of Indonesia?</prompt>
      <simpleChoice identifier="choice_a">Jakarta</simpleChoice>
      <simpleChoice identifier="choice_b">Bandung</simpleChoice>
      <simpleChoice identifier="choice_c">Surabaya</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing \
template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
</assessmentItem>
"""

QTI3_MANIFEST = """\
<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
    identifier="manifest_1">
  <metadata>
    <schema>QTI Package</schema>
    <schemaversion>3.0.0</schemaversion>
  </metadata>
  <organizations/>
  <resources>
{resources}
  </resources>
</manifest>
"""

ITEM_RESOURCE = """\
    <resource identifier="{identifier}" type="imsqti_item_xmlv3p0" href="{href}">
      <file href="{href}"/>
{files}
    </resource>"""


@pytest.fixture
def qti3_item() -> str:
    """A minimal valid QTI 3.0 choice item (it shows ``img/jakarta.png``)."""
    return QTI3_ITEM


@pytest.fixture
def qti21_item() -> str:
    """A minimal valid QTI 2.1 choice item."""
    return QTI21_ITEM


def _manifest(items: dict[str, list[str]]) -> str:
    resources = "\n".join(
        ITEM_RESOURCE.format(
            identifier=f"res_{index}",
            href=href,
            files="\n".join(f'      <file href="{extra}"/>' for extra in extras),
        )
        for index, (href, extras) in enumerate(items.items())
    )
    return QTI3_MANIFEST.format(resources=resources)


@pytest.fixture
def qti3_manifest() -> Callable[[dict[str, list[str]]], str]:
    """Build a QTI 3.0 manifest: item href -> the other files of its resource."""
    return _manifest


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def make_zip(tmp_path: Path) -> Callable[..., Path]:
    """Write a zip from ``{member name: str | bytes | zipfile.ZipInfo-ready bytes}``."""

    def make(members: dict[str, str | bytes], name: str = "package.zip") -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for member, content in members.items():
                data = content.encode() if isinstance(content, str) else content
                archive.writestr(zipfile.ZipInfo(member), data, zipfile.ZIP_DEFLATED)
        return path

    return make


@pytest.fixture
def valid_package_members(qti3_item: str) -> dict[str, str | bytes]:
    """The members of a small valid QTI 3.0 package: a manifest, one item, one image."""
    return {
        "imsmanifest.xml": _manifest({"items/item_capital.xml": ["items/img/jakarta.png"]}),
        "items/item_capital.xml": qti3_item,
        "items/img/jakarta.png": PNG,
    }


def _shared(*parts: str) -> Path:
    return shared_path(*parts)


@pytest.fixture
def qtiworks_dir() -> Path:
    """The QTIWorks samples (BSD-3), read in place from ``../shared/qti-samples``."""
    return _shared(
        "qti-samples",
        "davemckain-qtiworks",
        "qtiworks-samples/src/main/resources/uk/ac/ed/ph/qtiworks/samples",
    )


@pytest.fixture
def kennisnet_dir() -> Path:
    """The php-qti3 fixtures (MIT), read in place from ``../shared/qti-samples``."""
    return _shared("qti-samples", "kennisnet-php-qti3")


@pytest.fixture
def rptemplates_dir() -> Path:
    """The official response-processing template files in ``../shared/qti-xsd``."""
    return _shared("qti-xsd", "rptemplates")
